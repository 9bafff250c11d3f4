//! The picture as a standalone SVG document: every box a group with its
//! tooltip (`<title>`), its kind, name and state as attributes, and all
//! text escaped.

use super::graph::{Diagram, Kind, Node, State};
use super::layout::{FONT, LINE_H, Layout, PAD, Rect};
use crate::net::printable;
use std::fmt::Write;

/// `s` fit for XML text and attribute values: line breaks kept (a
/// tooltip's lines), other control characters shown as escapes (XML 1.0
/// cannot hold most of them), markup characters as entities.
pub fn escape(s: &str) -> String {
    let s = s.split('\n').map(printable).collect::<Vec<_>>().join("\n");
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The fill of a box of `kind` (not compared with the host).
pub fn kind_fill(kind: Kind) -> &'static str {
    match kind {
        Kind::Outside => "#e3ecf7",
        Kind::Physical => "#cfdcec",
        Kind::Global => "#fff1cc",
        Kind::Etherstub => "#d9ecd9",
        Kind::Overlay => "#e4dcf3",
        Kind::Vlan => "#eeeeee",
        Kind::Vnic => "#ffffff",
        Kind::Zone => "#fde3dc",
    }
}

/// The outline colour, outline width, dashes and (for a compared box)
/// fill that show a state.
pub fn state_look(
    st: State,
) -> (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
) {
    match st {
        State::Unchecked => ("#4a4a4a", "1.5", None, None),
        State::Ok => ("#2e7d32", "3", None, Some("#e3f4e4")),
        State::Differs => ("#e65100", "3", Some("8 4"), Some("#fff0dc")),
        State::Missing => ("#c62828", "3", Some("3 3"), Some("#fde4e4")),
    }
}

/// What a state is called in the legend.
pub fn state_label(st: State) -> &'static str {
    match st {
        State::Unchecked => "not compared",
        State::Ok => "present, as specified",
        State::Differs => "present, differs from the spec",
        State::Missing => "missing",
    }
}

fn rect_attrs(r: &Rect) -> String {
    format!(
        "x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"",
        r.x, r.y, r.w, r.h
    )
}

fn node(out: &mut String, host: &str, n: &Node, r: &Rect) {
    let (stroke, width, dash, live_fill) = state_look(n.state);
    let fill = live_fill.unwrap_or(kind_fill(n.kind));
    let rx = match n.kind {
        Kind::Outside => 18,
        Kind::Zone | Kind::Global => 8,
        _ => 3,
    };
    let _ = writeln!(
        out,
        "<g class=\"node {kind} {state}\" data-kind=\"{kind}\" data-name=\"{name}\" data-state=\"{state}\"{host}>",
        kind = n.kind.as_str(),
        state = n.state.as_str(),
        name = escape(&n.name),
        host = if host.is_empty() {
            String::new()
        } else {
            format!(" data-host=\"{}\"", escape(host))
        },
    );
    let _ = writeln!(out, "<title>{}</title>", escape(&n.tip.join("\n")));
    let _ = writeln!(
        out,
        "<rect {} rx=\"{rx}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{width}\"{}/>",
        rect_attrs(r),
        dash.map_or(String::new(), |d| format!(" stroke-dasharray=\"{d}\""))
    );
    let x = r.x + PAD;
    let mut y = r.y + PAD + FONT;
    let _ = writeln!(
        out,
        "<text x=\"{x}\" y=\"{y}\" font-weight=\"bold\">{}</text>",
        escape(&n.name)
    );
    for l in &n.lines {
        y += LINE_H;
        let _ = writeln!(out, "<text x=\"{x}\" y=\"{y}\">{}</text>", escape(l));
    }
    let _ = writeln!(out, "</g>");
}

/// The SVG document of a laid-out diagram.
pub fn render(d: &Diagram, l: &Layout) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"{FONT}\" fill=\"#1a1a1a\">",
        w = l.width,
        h = l.height
    );
    let _ = writeln!(out, "<title>{}</title>", escape(&d.title));
    let _ = writeln!(
        out,
        "<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#555555\"/></marker></defs>"
    );
    let _ = writeln!(
        out,
        "<rect class=\"background\" x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
        l.width, l.height
    );
    let _ = writeln!(
        out,
        "<text class=\"title\" x=\"20\" y=\"22\" font-size=\"14\" font-weight=\"bold\">{}</text>",
        escape(&d.title)
    );
    if let Some(note) = &d.note {
        let _ = writeln!(
            out,
            "<text class=\"note\" x=\"20\" y=\"{}\">{}</text>",
            22.0 + LINE_H,
            escape(note)
        );
    }
    if let Some(bar) = &l.bar {
        let _ = writeln!(out, "<g class=\"underlay\">");
        let _ = writeln!(
            out,
            "<title>{}</title>",
            escape(&format!("the underlay network\n{}", d.overlays.join("\n")))
        );
        let _ = writeln!(
            out,
            "<rect {} rx=\"18\" fill=\"{}\" stroke=\"#4a4a4a\" stroke-width=\"1.5\"/>",
            rect_attrs(bar),
            kind_fill(Kind::Outside)
        );
        let mut y = bar.y + PAD + FONT;
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{y}\" font-weight=\"bold\">underlay network</text>",
            bar.x + PAD
        );
        for o in &d.overlays {
            y += LINE_H;
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{y}\">{}</text>",
                bar.x + PAD,
                escape(o)
            );
        }
        let _ = writeln!(out, "</g>");
    }
    for (p, pl) in d.parts.iter().zip(&l.parts) {
        let host = p.host.as_ref().map_or("", |h| h.name.as_str());
        let _ = writeln!(
            out,
            "<g class=\"part\"{}>",
            if host.is_empty() {
                String::new()
            } else {
                format!(" data-host=\"{}\"", escape(host))
            }
        );
        if let Some(h) = &p.host {
            let (stroke, width, dash, _) = state_look(p.state);
            let _ = writeln!(
                out,
                "<rect class=\"frame\" {} rx=\"6\" fill=\"#fafafa\" stroke=\"{stroke}\" stroke-width=\"{width}\"{}/>",
                rect_attrs(&pl.frame),
                dash.map_or(String::new(), |d| format!(" stroke-dasharray=\"{d}\""))
            );
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" font-weight=\"bold\">host {} ({})</text>",
                pl.frame.x + PAD,
                pl.frame.y + PAD + FONT,
                escape(&h.name),
                escape(&h.underlay.to_string())
            );
            // The wire from the host's underlay box up to the bar.
            if let (Some(bar), Some(k)) =
                (&l.bar, p.nodes.iter().position(|n| n.kind == Kind::Outside))
            {
                let u = &pl.nodes[k];
                let x = u.x + u.w / 2.0;
                let _ = writeln!(
                    out,
                    "<path class=\"wire underlay\" d=\"M {x} {} L {x} {}\" fill=\"none\" stroke=\"#555555\" stroke-width=\"1.5\" stroke-dasharray=\"6 3\"/>",
                    bar.y + bar.h,
                    u.y
                );
            }
        }
        for ((a, b), path) in p.edges.iter().zip(&pl.edges) {
            if path.is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                "<path class=\"wire\" data-from=\"{}\" data-to=\"{}\" d=\"{path}\" fill=\"none\" stroke=\"#555555\" stroke-width=\"1.5\" marker-end=\"url(#head)\"/>",
                escape(&p.nodes[*a].name),
                escape(&p.nodes[*b].name)
            );
        }
        for (n, r) in p.nodes.iter().zip(&pl.nodes) {
            node(&mut out, host, n, r);
        }
        let _ = writeln!(out, "</g>");
    }
    let _ = writeln!(out, "</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(
            escape("<a href=\"x\">&'\u{1b}\nb\r"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\\x1b\nb\\r"
        );
    }
}
