// Package safefile writes files atomically.
//
// WriteFile streams new content into a temporary file that lives in the
// same directory as the destination, flushes and fsyncs it, and only then
// renames it over the destination and fsyncs the directory. Readers of the
// destination therefore observe either the complete old content or the
// complete new content, never a mixture, even if the writing process is
// killed or the machine loses power part way through.
//
// A process that is killed while writing can leave a stale temporary file
// named ".<base>.tmp-<random>" next to the destination; it never replaces
// the destination and may be deleted at any time.
package safefile
