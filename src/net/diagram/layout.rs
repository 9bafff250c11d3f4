//! Where every box and wire goes: each host's graph is laid out in layers
//! by layout-rs (Sugiyama: ranking, crossing reduction, Brandes–Köpf
//! placement, edges routed around boxes), and the hosts' frames are put
//! side by side under the title and the underlay bar.
//!
//! Box sizes come from the text they hold, in a monospace font whose
//! advance is known (0.6 em), so text never runs out of its box whatever
//! renderer draws it.

use super::graph::{Diagram, Part};
use layout::core::base::Orientation;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::{Point, Position};
use layout::core::style::StyleAttr;
use layout::std_shapes::shapes::{Arrow, Element, ShapeKind};
use layout::topo::layout::VisualGraph;

/// The font size of the text in boxes, in pixels.
pub const FONT: f64 = 12.0;
/// The advance of one character of the monospace font (0.6 em, and a
/// little to spare).
pub const CHAR_W: f64 = 7.4;
/// The height of a line of text.
pub const LINE_H: f64 = 16.0;
/// Space between a box's edge and its text.
pub const PAD: f64 = 8.0;
/// Space around a host's frame and between frames.
const MARGIN: f64 = 20.0;
/// Room for a host's name at the top of its frame.
const FRAME_HEAD: f64 = 28.0;
/// Room for the title (and a note) at the top of the picture.
const TITLE_H: f64 = 30.0;
/// The space layout-rs keeps around each box (on each side).
const HALO: f64 = 22.0;
/// More boxes than this over one switch are laid out left to right (a
/// column of zones), fewer top to bottom (the article's figure).
const WIDE: usize = 8;

/// A rectangle: top-left corner and size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    /// Whether the two rectangles share any area (touching is not
    /// overlapping).
    pub fn overlaps(&self, o: &Rect) -> bool {
        self.x < o.x + o.w && o.x < self.x + self.w && self.y < o.y + o.h && o.y < self.y + self.h
    }

    /// Whether `o` lies wholly inside this rectangle.
    pub fn contains(&self, o: &Rect) -> bool {
        o.x >= self.x
            && o.y >= self.y
            && o.x + o.w <= self.x + self.w
            && o.y + o.h <= self.y + self.h
    }
}

/// One host's frame, its boxes (in the order of the part's nodes) and
/// its wires (SVG path data, in the order of the part's edges).
#[derive(Debug, Clone, PartialEq)]
pub struct PartLayout {
    pub frame: Rect,
    pub nodes: Vec<Rect>,
    pub edges: Vec<String>,
}

/// The whole picture's geometry.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    /// The underlay bar above the hosts of a spec with overlays.
    pub bar: Option<Rect>,
    pub parts: Vec<PartLayout>,
}

/// The size of a box holding a name and `lines`.
pub fn box_size(name: &str, lines: &[String]) -> (f64, f64) {
    let chars = std::iter::once(name)
        .chain(lines.iter().map(String::as_str))
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    (
        (chars as f64 * CHAR_W + 2.0 * PAD).ceil(),
        (1 + lines.len()) as f64 * LINE_H + 2.0 * PAD,
    )
}

/// Round to a tenth of a pixel, so that the picture's numbers are short
/// and the same on every machine.
fn r(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Collects the wires layout-rs routes; it draws nothing else.
struct Wires {
    paths: Vec<Option<Vec<(Point, Point)>>>,
}

impl RenderBackend for Wires {
    fn draw_rect(
        &mut self,
        _: Point,
        _: Point,
        _: &StyleAttr,
        _: Option<String>,
        _: Option<ClipHandle>,
    ) {
    }
    fn draw_line(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}
    fn draw_circle(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}
    fn draw_text(&mut self, _: Point, _: &str, _: &StyleAttr) {}
    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        _: bool,
        _: (bool, bool),
        _: &StyleAttr,
        properties: Option<String>,
        _: &str,
    ) {
        if let Some(k) = properties.and_then(|p| p.parse::<usize>().ok())
            && let Some(slot) = self.paths.get_mut(k)
        {
            *slot = Some(path.to_vec());
        }
    }
    fn create_clip(&mut self, _: Point, _: Point, _: usize) -> ClipHandle {
        0
    }
}

/// Whether a part is laid out left to right: when one box has more than
/// [`WIDE`] wires going further in.
pub fn is_wide(p: &Part) -> bool {
    (0..p.nodes.len()).any(|i| p.edges.iter().filter(|(a, _)| *a == i).count() > WIDE)
}

/// One part's boxes and wires, with the top-left of everything at (0, 0).
fn layout_part(p: &Part) -> (Vec<Rect>, Vec<String>, f64, f64) {
    if p.nodes.is_empty() {
        return (Vec::new(), Vec::new(), 0.0, 0.0);
    }
    let orientation = if is_wide(p) {
        Orientation::LeftToRight
    } else {
        Orientation::TopToBottom
    };
    let mut vg = VisualGraph::new(orientation);
    let handles: Vec<_> = p
        .nodes
        .iter()
        .map(|n| {
            let (w, h) = box_size(&n.name, &n.lines);
            // In the picture's axes: layout-rs turns a left-to-right
            // graph itself.
            let size = Point::new(w, h);
            let mut e = Element::create(
                ShapeKind::Box(String::new()),
                StyleAttr::simple(),
                orientation,
                size,
            );
            // The space kept around a box: layout-rs's default (60) spreads
            // a column of 50 zones over 7,000 pixels.
            // Left to right, columns further apart: room for a fan of wires.
            let halo = if orientation.is_left_right() {
                Point::new(3.0 * HALO, HALO)
            } else {
                Point::splat(HALO)
            };
            e.pos = Position::new(Point::zero(), size, Point::zero(), halo);
            vg.add_node(e)
        })
        .collect();
    for (k, (a, b)) in p.edges.iter().enumerate() {
        let mut arrow = Arrow::simple("");
        arrow.properties = Some(k.to_string());
        vg.add_edge(arrow, handles[*a], handles[*b]);
    }
    let mut wires = Wires {
        paths: vec![None; p.edges.len()],
    };
    vg.do_it(false, false, false, &mut wires);
    let mut rects: Vec<Rect> = handles
        .iter()
        .map(|h| {
            let (tl, br) = vg.pos(*h).bbox(false);
            Rect {
                x: tl.x,
                y: tl.y,
                w: br.x - tl.x,
                h: br.y - tl.y,
            }
        })
        .collect();
    let points = wires
        .paths
        .iter()
        .flatten()
        .flatten()
        .flat_map(|(a, b)| [*a, *b]);
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (x, y) in rects
        .iter()
        .flat_map(|r| [(r.x, r.y), (r.x + r.w, r.y + r.h)])
        .chain(points.map(|p| (p.x, p.y)))
    {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    for rc in rects.iter_mut() {
        *rc = Rect {
            x: r(rc.x - x0),
            y: r(rc.y - y0),
            w: r(rc.w),
            h: r(rc.h),
        };
    }
    let at = |p: Point| format!("{} {}", r(p.x - x0), r(p.y - y0));
    let lr = orientation.is_left_right();
    let edges = wires
        .paths
        .iter()
        .zip(&p.edges)
        .map(|(path, (a, b))| {
            let (a, b) = (&rects[*a], &rects[*b]);
            let forward = if lr {
                b.x >= a.x + a.w
            } else {
                b.y >= a.y + a.h
            };
            match path.as_deref() {
                // From the middle of the box's far side to the middle of
                // the next one's near side, through the places layout-rs
                // keeps for the wire in the ranks between: a fan of wires
                // leaves a switch together and meets each box head on.
                Some([_, mid @ .., _]) if forward => {
                    let mut pts = vec![if lr {
                        (a.x + a.w, a.y + a.h / 2.0)
                    } else {
                        (a.x + a.w / 2.0, a.y + a.h)
                    }];
                    pts.extend(
                        mid.iter()
                            .map(|(u, v)| ((u.x + v.x) / 2.0 - x0, (u.y + v.y) / 2.0 - y0)),
                    );
                    pts.push(if lr {
                        (b.x, b.y + b.h / 2.0)
                    } else {
                        (b.x + b.w / 2.0, b.y)
                    });
                    smooth(&pts, lr)
                }
                Some([first, second, rest @ ..]) => {
                    let mut d = format!(
                        "M {} C {}, {}, {}",
                        at(first.0),
                        at(first.1),
                        at(second.0),
                        at(second.1)
                    );
                    for s in rest {
                        d.push_str(&format!(" S {}, {}", at(s.0), at(s.1)));
                    }
                    d
                }
                _ => String::new(),
            }
        })
        .collect();
    (rects, edges, r(x1 - x0), r(y1 - y0))
}

/// A path through `pts`, each step a curve that leaves and enters along
/// the layout's axis (down, or right when `lr`).
fn smooth(pts: &[(f64, f64)], lr: bool) -> String {
    let mut d = format!("M {} {}", r(pts[0].0), r(pts[0].1));
    for w in pts.windows(2) {
        let ((ax, ay), (bx, by)) = (w[0], w[1]);
        let (c1, c2) = if lr {
            let h = (bx - ax) / 2.0;
            ((ax + h, ay), (bx - h, by))
        } else {
            let h = (by - ay) / 2.0;
            ((ax, ay + h), (bx, by - h))
        };
        d.push_str(&format!(
            " C {} {}, {} {}, {} {}",
            r(c1.0),
            r(c1.1),
            r(c2.0),
            r(c2.1),
            r(bx),
            r(by)
        ));
    }
    d
}

/// Move a path's numbers by (dx, dy).
fn shift_path(d: &str, dx: f64, dy: f64) -> String {
    let mut out = Vec::new();
    let mut x = true;
    for tok in d.split(' ') {
        let (num, comma) = match tok.strip_suffix(',') {
            Some(n) => (n, ","),
            None => (tok, ""),
        };
        match num.parse::<f64>() {
            Ok(v) => {
                let v = if x { r(v + dx) } else { r(v + dy) };
                x = !x;
                out.push(format!("{v}{comma}"));
            }
            Err(_) => out.push(tok.to_string()),
        }
    }
    out.join(" ")
}

/// Lay the whole picture out. `bar_lines` is how many lines the underlay
/// bar holds (none: no bar); `head_lines` how many lines stand under the
/// title.
pub fn layout(d: &Diagram) -> Layout {
    let head = TITLE_H + if d.note.is_some() { LINE_H } else { 0.0 };
    let bar_h = if d.overlays.is_empty() {
        0.0
    } else {
        (1 + d.overlays.len()) as f64 * LINE_H + 2.0 * PAD
    };
    let top = head
        + if bar_h > 0.0 {
            bar_h + 2.0 * MARGIN
        } else {
            0.0
        };
    let mut x = MARGIN;
    let mut parts = Vec::new();
    let mut height: f64 = top;
    for p in &d.parts {
        let (rects, edges, w, h) = layout_part(p);
        let title_w = p
            .host
            .as_ref()
            .map_or(0.0, |h| (h.name.chars().count() + 24) as f64 * CHAR_W);
        let fw = (w + 2.0 * MARGIN).max(title_w);
        // A host's frame has its name at the top; the one part of a spec
        // without hosts has no frame.
        let head = if p.host.is_some() { FRAME_HEAD } else { 0.0 };
        let frame = Rect {
            x: r(x),
            y: r(top),
            w: r(fw),
            h: r(h + 2.0 * MARGIN + head),
        };
        let (dx, dy) = (x + (fw - w) / 2.0, top + head + MARGIN);
        let nodes = rects
            .into_iter()
            .map(|rc| Rect {
                x: r(rc.x + dx),
                y: r(rc.y + dy),
                ..rc
            })
            .collect();
        let edges = edges.iter().map(|e| shift_path(e, dx, dy)).collect();
        height = height.max(frame.y + frame.h);
        x += fw + MARGIN;
        parts.push(PartLayout {
            frame,
            nodes,
            edges,
        });
    }
    let title_w = (d
        .title
        .chars()
        .count()
        .max(d.note.as_ref().map_or(0, |n| n.chars().count())) as f64)
        * CHAR_W
        + 2.0 * MARGIN;
    let bar_w = d
        .overlays
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0) as f64
        * CHAR_W
        + 2.0 * PAD;
    let width = x.max(title_w).max(bar_w + 2.0 * MARGIN);
    let bar = (bar_h > 0.0).then(|| Rect {
        x: MARGIN,
        y: r(head + MARGIN),
        w: r(width - 2.0 * MARGIN),
        h: r(bar_h),
    });
    Layout {
        width: r(width),
        height: r(height + MARGIN),
        bar,
        parts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_and_contain() {
        let a = Rect {
            x: 0.0,
            y: 0.0,
            w: 10.0,
            h: 10.0,
        };
        let b = Rect {
            x: 10.0,
            y: 0.0,
            w: 10.0,
            h: 10.0,
        };
        let c = Rect {
            x: 5.0,
            y: 5.0,
            w: 10.0,
            h: 10.0,
        };
        assert!(!a.overlaps(&b));
        assert!(a.overlaps(&c) && c.overlaps(&b));
        assert!(a.contains(&Rect {
            x: 1.0,
            y: 1.0,
            w: 2.0,
            h: 2.0
        }));
        assert!(!a.contains(&c));
    }

    #[test]
    fn shift_moves_x_and_y() {
        assert_eq!(
            shift_path("M 1 2 C 3 4, 5 6, 7 8 S 9 10, 11 12", 10.0, 100.0),
            "M 11 102 C 13 104, 15 106, 17 108 S 19 110, 21 112"
        );
    }

    #[test]
    fn box_fits_its_text() {
        let (w, h) = box_size("vnic0", &["mac 2:8:20:11:22:33".into()]);
        assert!(w >= 18.0 * CHAR_W + 2.0 * PAD);
        assert_eq!(h, 2.0 * LINE_H + 2.0 * PAD);
    }
}
