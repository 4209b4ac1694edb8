package measure

import "math"

// quadtree is a Barnes-Hut tree over points of the plane (Barnes & Hut
// 1986): each cell holds its points' count and centre of mass, and
// splits into four children once it holds more than one point.
type quadtree struct {
	nodes []quadNode
}

// quadNode is one cell: its centre and half-width, its points' count and
// centre of mass, and its first child (0: a leaf; the four children are
// consecutive). A leaf holds at most one point, or several at one place.
type quadNode struct {
	cx, cy, half float64
	count        int
	mx, my       float64 // the centre of mass
	child        int32
	px, py       float64 // a leaf's point
}

// quadMaxDepth stops the splitting of coincident points.
const quadMaxDepth = 50

// newQuadtree builds the tree of the points y (x0, y0, x1, y1, ...).
func newQuadtree(y []float64) *quadtree {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for i := 0; i < len(y); i += 2 {
		minX, maxX = min(minX, y[i]), max(maxX, y[i])
		minY, maxY = min(minY, y[i+1]), max(maxY, y[i+1])
	}
	half := max(maxX-minX, maxY-minY)/2 + 1e-5
	t := &quadtree{nodes: make([]quadNode, 1, len(y)*2)}
	t.nodes[0] = quadNode{cx: (minX + maxX) / 2, cy: (minY + maxY) / 2, half: half}
	for i := 0; i < len(y); i += 2 {
		t.insert(0, y[i], y[i+1], 0)
	}
	return t
}

// insert adds the point (x, y) under node at depth.
func (t *quadtree) insert(node int, x, y float64, depth int) {
	for {
		nd := &t.nodes[node]
		nd.mx = (nd.mx*float64(nd.count) + x) / float64(nd.count+1)
		nd.my = (nd.my*float64(nd.count) + y) / float64(nd.count+1)
		nd.count++
		if nd.child == 0 {
			if nd.count == 1 {
				nd.px, nd.py = x, y
				return
			}
			if depth >= quadMaxDepth || (nd.px == x && nd.py == y) {
				return // coincident points share the leaf
			}
			t.split(node)
			nd = &t.nodes[node]
			old := t.quadrant(node, nd.px, nd.py)
			t.nodes[old].count, t.nodes[old].mx, t.nodes[old].my = 1, nd.px, nd.py
			t.nodes[old].px, t.nodes[old].py = nd.px, nd.py
		}
		node = t.quadrant(node, x, y)
		depth++
	}
}

// split gives node its four children.
func (t *quadtree) split(node int) {
	first := len(t.nodes)
	nd := t.nodes[node]
	h := nd.half / 2
	for _, s := range [4][2]float64{{-1, -1}, {1, -1}, {-1, 1}, {1, 1}} {
		t.nodes = append(t.nodes, quadNode{cx: nd.cx + s[0]*h, cy: nd.cy + s[1]*h, half: h})
	}
	t.nodes[node].child = int32(first)
}

// quadrant returns the child of node that holds (x, y).
func (t *quadtree) quadrant(node int, x, y float64) int {
	nd := t.nodes[node]
	q := int(nd.child)
	if x >= nd.cx {
		q++
	}
	if y >= nd.cy {
		q += 2
	}
	return q
}

// repulsion adds to f the repulsive force on the point (x, y),
// sum_j q_ij² Z (y_i - y_j) with q_ij Z = (1 + |y_i - y_j|²)^-1, a cell
// of half-width h at distance d counting as its count of points at its
// centre of mass when 2h/d < theta; it returns the point's share of Z,
// sum_j q_ij Z. The point itself, at distance 0, adds nothing. stack is
// the walk's scratch, kept between calls.
func (t *quadtree) repulsion(x, y, theta float64, f []float64, stack *[]int32) float64 {
	var z float64
	st := append((*stack)[:0], 0)
	for len(st) > 0 {
		node := st[len(st)-1]
		st = st[:len(st)-1]
		nd := &t.nodes[node]
		dx, dy := x-nd.mx, y-nd.my
		d2 := dx*dx + dy*dy
		if nd.child == 0 || (2*nd.half)*(2*nd.half) < theta*theta*d2 {
			if d2 == 0 {
				continue // the point itself, or points at its very place
			}
			q := 1 / (1 + d2)
			n := float64(nd.count)
			z += n * q
			f[0] += n * q * q * dx
			f[1] += n * q * q * dy
			continue
		}
		for c := nd.child; c < nd.child+4; c++ {
			if t.nodes[c].count > 0 {
				st = append(st, c)
			}
		}
	}
	*stack = st
	return z
}
