//! The picture as Graphviz DOT (`--dot`), for people who lay it out or
//! post-process it themselves: one cluster per host, the same boxes,
//! labels, tooltips and colours as the SVG.

use super::graph::{Diagram, Kind};
use super::layout::is_wide;
use super::svg::{kind_fill, state_look};
use crate::net::printable;
use std::fmt::Write;

/// `s` as a DOT double-quoted string (escString): `"` and `\` escaped,
/// control characters shown as escapes.
pub fn quote(s: &str) -> String {
    format!("\"{}\"", esc(s))
}

fn esc(s: &str) -> String {
    let s = printable(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out
}

/// Lines as one DOT string, `sep` (`\l`: left-justified; `\n`)
/// between them.
fn lines<'a>(ls: impl IntoIterator<Item = &'a str>, sep: &str) -> String {
    let ls: Vec<String> = ls.into_iter().map(esc).collect();
    let end = if sep == "\\l" { sep } else { "" };
    format!("\"{}{end}\"", ls.join(sep))
}

/// The DOT document.
pub fn render(d: &Diagram) -> String {
    let mut out = String::new();
    let wide = d.parts.iter().any(is_wide);
    let _ = writeln!(out, "digraph {} {{", quote(&d.title));
    let _ = writeln!(
        out,
        "  graph [rankdir={}, fontname=\"monospace\", label={}, labelloc=t];",
        if wide { "LR" } else { "TB" },
        quote(&d.title)
    );
    let _ = writeln!(
        out,
        "  node [shape=box, style=\"rounded,filled\", fontname=\"monospace\", fontsize=10];"
    );
    let _ = writeln!(out, "  edge [color=\"#555555\"];");
    if !d.overlays.is_empty() {
        let mut ls = vec!["underlay network"];
        ls.extend(d.overlays.iter().map(String::as_str));
        let _ = writeln!(
            out,
            "  {} [label={}, fillcolor=\"{}\"];",
            quote("underlay"),
            lines(ls, "\\l"),
            kind_fill(Kind::Outside)
        );
    }
    for (k, p) in d.parts.iter().enumerate() {
        let prefix = p
            .host
            .as_ref()
            .map_or(String::new(), |h| format!("{}/", h.name));
        let indent = if p.host.is_some() { "    " } else { "  " };
        if let Some(h) = &p.host {
            let _ = writeln!(out, "  subgraph {} {{", quote(&format!("cluster_{k}")));
            let _ = writeln!(
                out,
                "    label={};",
                quote(&format!("host {} ({})", h.name, h.underlay))
            );
        }
        for n in &p.nodes {
            let (stroke, width, dash, live_fill) = state_look(n.state);
            let mut ls = vec![n.name.as_str()];
            ls.extend(n.lines.iter().map(String::as_str));
            let _ = writeln!(
                out,
                "{indent}{} [label={}, tooltip={}, fillcolor=\"{}\", color=\"{stroke}\", penwidth={width}{}, class={}];",
                quote(&format!("{prefix}{}/{}", n.kind.as_str(), n.name)),
                lines(ls, "\\l"),
                lines(n.tip.iter().map(String::as_str), "\\n"),
                live_fill.unwrap_or(kind_fill(n.kind)),
                if dash.is_some() {
                    ", style=\"rounded,filled,dashed\""
                } else {
                    ""
                },
                quote(&format!("{} {}", n.kind.as_str(), n.state.as_str())),
            );
        }
        for (a, b) in &p.edges {
            let (a, b) = (&p.nodes[*a], &p.nodes[*b]);
            let _ = writeln!(
                out,
                "{indent}{} -> {};",
                quote(&format!("{prefix}{}/{}", a.kind.as_str(), a.name)),
                quote(&format!("{prefix}{}/{}", b.kind.as_str(), b.name)),
            );
        }
        if p.host.is_some() {
            let _ = writeln!(out, "  }}");
            if !d.overlays.is_empty() && p.nodes.iter().any(|n| n.kind == Kind::Outside) {
                let _ = writeln!(
                    out,
                    "  {} -> {} [style=dashed, arrowhead=none];",
                    quote("underlay"),
                    quote(&format!("{prefix}outside/outside"))
                );
            }
        }
    }
    let _ = writeln!(out, "}}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_escape() {
        // A line break in a name is shown as `\n`, not taken as DOT's.
        assert_eq!(quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\\\nd\"");
        assert_eq!(lines(["a", "b\"c"], "\\l"), "\"a\\lb\\\"c\\l\"");
        assert_eq!(lines(["a", "b"], "\\n"), "\"a\\nb\"");
    }
}
