"""The IDX files MNIST ships in (train-images-idx3-ubyte and so on, plain or
gzipped), as latentlab reads them."""

import gzip
import os
import struct

import numpy as np
import torch


def _read(path):
    for name in (path, path + ".gz"):
        if os.path.exists(name):
            with open(name, "rb") as f:
                blob = f.read()
            return gzip.decompress(blob) if blob[:2] == b"\x1f\x8b" else blob
    raise FileNotFoundError(f"missing IDX file {path} (nor {path}.gz)")


def load_idx(directory, split="train"):
    """Return (images, labels) of split ("train" or "t10k") in directory:
    images as a float32 tensor [n, rows*cols] of pixels in [0, 1], labels as
    int64, and the image size (rows, cols)."""
    images = _read(os.path.join(directory, f"{split}-images-idx3-ubyte"))
    labels = _read(os.path.join(directory, f"{split}-labels-idx1-ubyte"))
    magic, n, rows, cols = struct.unpack(">IIII", images[:16])
    if magic != 0x803:
        raise ValueError(f"{split} images: magic {magic:#x}, want 0x803")
    (lmagic, ln) = struct.unpack(">II", labels[:8])
    if lmagic != 0x801 or ln != n:
        raise ValueError(f"{split} labels: magic {lmagic:#x} and {ln} labels for {n} images")
    pixels = np.frombuffer(images[16 : 16 + n * rows * cols], dtype=np.uint8).reshape(n, rows * cols)
    return torch.from_numpy(pixels.astype(np.float32) / 255), torch.from_numpy(np.frombuffer(labels[8 : 8 + n], dtype=np.uint8).astype(np.int64)), (rows, cols)
