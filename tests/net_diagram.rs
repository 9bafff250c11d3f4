//! `xbow net diagram` on the sim: the SVG is well-formed XML, byte-exact
//! for the Crossbow article's network (and its DOT), readable for 50
//! zones (no two boxes overlap, text fits its box), coloured by the host
//! with --live, one frame per host for a spec with hosts, and bad input
//! refused with a message.

mod common;

use common::{Env, golden};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use xbow::net::diagram::{self, Options, layout};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/crossbow-nat.json");
const TWO_HOSTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/two-hosts.json");

fn sim() -> Option<Env> {
    Env::sim_only()
}

fn write_spec(env: &Env, name: &str, spec: &Value) -> String {
    let p = env.dir().join(name);
    std::fs::write(&p, serde_json::to_string_pretty(spec).unwrap()).unwrap();
    p.display().to_string()
}

/// The article's network with 50 zones, each on a VNIC of its own with
/// a bandwidth limit.
fn fifty_zones() -> Value {
    let mut vnics = vec![json!({"name": "vnic0", "over": "etherstub0"})];
    let mut zones = Vec::new();
    for i in 1..=50 {
        vnics.push(json!({"name": format!("vnic{i}"), "over": "etherstub0", "maxbw": "100M"}));
        zones.push(json!({
            "name": format!("zone{i}"),
            "net": [{
                "physical": format!("vnic{i}"),
                "allowed-address": format!("10.0.{i}.1/16"),
                "defrouter": "10.0.0.1"
            }]
        }));
    }
    json!({
        "etherstubs": ["etherstub0"],
        "vnics": vnics,
        "addresses": [{"interface": "vnic0", "address": "10.0.0.1/16"}],
        "ipv4-forwarding": true,
        "nat": ["map e1000g0 10.0.0.0/16 -> 0/32 portmap tcp/udp auto", "map e1000g0 10.0.0.0/16 -> 0/32"],
        "zones": zones
    })
}

/// A box of the picture, as the SVG has it.
#[derive(Debug)]
struct Box {
    kind: String,
    name: String,
    state: String,
    host: Option<String>,
    rect: layout::Rect,
    /// Its lines of text.
    text: Vec<String>,
    tip: String,
}

fn num(n: roxmltree::Node, attr: &str) -> f64 {
    n.attribute(attr)
        .unwrap_or_else(|| panic!("{attr} missing"))
        .parse()
        .unwrap()
}

/// Parse the SVG (it must be well-formed XML, an `svg` document) and
/// return its boxes.
fn boxes(svg: &str) -> Vec<Box> {
    let doc = roxmltree::Document::parse(svg).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg")
    );
    let (w, h) = (num(root, "width"), num(root, "height"));
    let canvas = layout::Rect {
        x: 0.0,
        y: 0.0,
        w,
        h,
    };
    let mut out = Vec::new();
    for g in root.descendants().filter(|n| {
        n.has_tag_name("g")
            && n.attribute("class")
                .is_some_and(|c| c.split(' ').next() == Some("node"))
    }) {
        let rect = g.children().find(|c| c.has_tag_name("rect")).expect("rect");
        let r = layout::Rect {
            x: num(rect, "x"),
            y: num(rect, "y"),
            w: num(rect, "width"),
            h: num(rect, "height"),
        };
        assert!(canvas.contains(&r), "{r:?} outside the picture");
        out.push(Box {
            kind: g.attribute("data-kind").unwrap().into(),
            name: g.attribute("data-name").unwrap().into(),
            state: g.attribute("data-state").unwrap().into(),
            host: g.attribute("data-host").map(String::from),
            rect: r,
            text: g
                .children()
                .filter(|c| c.has_tag_name("text"))
                .map(|t| t.text().unwrap_or("").to_string())
                .collect(),
            tip: g
                .children()
                .find(|c| c.has_tag_name("title"))
                .and_then(|t| t.text())
                .unwrap_or("")
                .to_string(),
        });
    }
    out
}

fn find<'a>(bs: &'a [Box], kind: &str, name: &str) -> &'a Box {
    bs.iter()
        .find(|b| b.kind == kind && b.name == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in {bs:#?}"))
}

/// No two boxes share any area, and every line of text fits its box (in
/// the monospace font's advance).
fn assert_readable(bs: &[Box]) {
    for (i, a) in bs.iter().enumerate() {
        for b in &bs[i + 1..] {
            assert!(
                !a.rect.overlaps(&b.rect),
                "{} {} {:?} overlaps {} {} {:?}",
                a.kind,
                a.name,
                a.rect,
                b.kind,
                b.name,
                b.rect
            );
        }
        for t in &a.text {
            let need = t.chars().count() as f64 * 0.6 * layout::FONT + 2.0 * layout::PAD;
            assert!(need <= a.rect.w, "'{t}' does not fit {:?}", a.rect);
        }
        let lines = a.text.len() as f64 * layout::LINE_H;
        assert!(
            lines <= a.rect.h,
            "{} lines do not fit {:?}",
            a.text.len(),
            a.rect
        );
    }
}

#[test]
fn article_network_is_well_formed_and_golden() {
    let Some(env) = sim() else { return };
    let r = env.xbow(&["net", "diagram", EXAMPLE]);
    let svg = &r.ok().stdout;
    let bs = boxes(svg);
    // The article's figure: eri0 to the outside, the global zone routing
    // and NATing over vnic0, etherstub0 as the switch, vnic1 and vnic2
    // into zones test1 and test2.
    let names: Vec<(&str, &str)> = bs
        .iter()
        .map(|b| (b.kind.as_str(), b.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("global", "global zone"),
            ("outside", "outside"),
            ("physical", "eri0"),
            ("etherstub", "etherstub0"),
            ("vnic", "vnic0"),
            ("vnic", "vnic1"),
            ("vnic", "vnic2"),
            ("zone", "test1"),
            ("zone", "test2"),
        ]
    );
    assert!(bs.iter().all(|b| b.state == "unchecked"));
    let gz = find(&bs, "global", "global zone");
    assert_eq!(
        gz.text,
        [
            "global zone",
            "vnic0/v4 192.168.0.1/24",
            "IPv4 forwarding on",
            "NAT map eri0 192.168.0.0/24 (2 rules)"
        ]
    );
    // The full rules are in the tooltip.
    assert!(
        gz.tip
            .contains("NAT: map eri0 192.168.0.0/24 -> 0/32 portmap tcp/udp auto\n")
    );
    assert_eq!(
        find(&bs, "zone", "test1").text,
        [
            "test1",
            "exclusive-IP zone",
            "vnic1 192.168.0.100/24",
            "router 192.168.0.1"
        ]
    );
    // Top to bottom as the figure: outside, eri0, global zone, vnic0,
    // etherstub0, the zones' VNICs, the zones.
    let y = |k, n| find(&bs, k, n).rect.y;
    assert!(y("outside", "outside") < y("physical", "eri0"));
    assert!(y("physical", "eri0") < y("global", "global zone"));
    assert!(y("global", "global zone") < y("vnic", "vnic0"));
    assert!(y("vnic", "vnic0") < y("etherstub", "etherstub0"));
    assert!(y("etherstub", "etherstub0") < y("vnic", "vnic1"));
    assert!(y("vnic", "vnic1") < y("zone", "test1"));
    assert_eq!(y("vnic", "vnic1"), y("vnic", "vnic2"));
    assert_readable(&bs);
    assert_eq!(*svg, golden("net-diagram-crossbow-nat.svg"));
}

#[test]
fn dot_is_golden() {
    let Some(env) = sim() else { return };
    let r = env.xbow(&["net", "diagram", "--dot", EXAMPLE]);
    let dot = &r.ok().stdout;
    assert!(dot.starts_with("digraph \"xbow net diagram crossbow-nat.json\" {\n"));
    assert!(dot.ends_with("}\n"));
    // Balanced braces and quotes, one statement a line.
    assert_eq!(dot.matches('{').count(), dot.matches('}').count());
    for l in dot.lines() {
        let unescaped = l.replace("\\\\", "").replace("\\\"", "");
        assert_eq!(unescaped.matches('"').count() % 2, 0, "{l}");
    }
    assert_eq!(*dot, golden("net-diagram-crossbow-nat.dot"));
}

#[test]
fn the_readme_picture_is_current() {
    let Some(env) = sim() else { return };
    let r = env.xbow(&["net", "diagram", EXAMPLE]);
    let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/crossbow-nat.svg");
    assert_eq!(
        r.ok().stdout,
        std::fs::read_to_string(&committed).unwrap(),
        "docs/crossbow-nat.svg is out of date: run docs/diagram.sh"
    );
}

#[test]
fn fifty_zones_are_laid_out_without_overlaps() {
    let Some(env) = sim() else { return };
    let spec = write_spec(&env, "fifty.json", &fifty_zones());
    // Through the library: the layout's own rectangles.
    let mut h = xbow::net::sim_host(xbow::backend::sim::StateFile::new(
        env.dir().join("lib.json"),
    ));
    let d = diagram::build(Path::new(&spec), &mut h, &Options::default()).unwrap();
    let l = layout::layout(&d);
    let rects = &l.parts[0].nodes;
    assert_eq!(rects.len(), d.parts[0].nodes.len());
    assert_eq!(rects.len(), 1 + 1 + 1 + 1 + 51 + 50);
    for (i, a) in rects.iter().enumerate() {
        for b in &rects[i + 1..] {
            assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
        }
    }
    // Through the command: the same boxes in the SVG, readable, and a
    // picture of a sensible size (a column of zones, not a 7,000 pixel
    // wide row).
    let r = env.xbow(&["net", "diagram", &spec]);
    let svg = &r.ok().stdout;
    let bs = boxes(svg);
    assert_eq!(bs.len(), rects.len());
    for (b, r) in bs.iter().zip(rects) {
        assert_eq!(b.rect, *r);
    }
    assert_readable(&bs);
    let z1 = find(&bs, "zone", "zone1").rect;
    let z50 = find(&bs, "zone", "zone50").rect;
    let mid = |r: layout::Rect| r.x + r.w / 2.0;
    assert_eq!(mid(z1), mid(z50), "the zones stand in one column");
    assert!(z1.y < z50.y);
    assert!(
        l.width < 2000.0 && l.height < 6000.0,
        "{} x {}",
        l.width,
        l.height
    );
    assert!(svg.len() < 200_000, "{} bytes", svg.len());
    assert_eq!(
        find(&bs, "vnic", "vnic7").text,
        ["vnic7", "mac auto", "maxbw 100.0 Mbit/s"]
    );
}

/// Set a link's counters in the sim state (as tests/stats.rs does):
/// received and sent bytes.
fn set_bytes(env: &Env, link: &str, rbytes: u64, obytes: u64) {
    let p = env.state_path();
    let mut st: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    for l in st["links"].as_array_mut().unwrap() {
        if l["name"] == link {
            l["stats"] = json!({"ipackets": 1, "rbytes": rbytes, "ierrors": 0,
                "opackets": 1, "obytes": obytes, "oerrors": 0});
        }
    }
    std::fs::write(&p, serde_json::to_string(&st).unwrap()).unwrap();
}

#[test]
fn live_colours_each_object_by_the_host() {
    let Some(env) = sim() else { return };
    env.xbow(&["sim", "add-phys", "eri0"]).ok();
    // Nothing yet: every object is missing, the global zone differs.
    let r = env.xbow(&["net", "diagram", "--live", "--interval", "0", EXAMPLE]);
    let bs = boxes(&r.ok().stdout);
    assert_eq!(find(&bs, "vnic", "vnic1").state, "missing");
    assert_eq!(find(&bs, "zone", "test1").state, "missing");
    assert_eq!(find(&bs, "global", "global zone").state, "differs");
    assert_eq!(find(&bs, "physical", "eri0").state, "ok");
    assert_eq!(find(&bs, "outside", "outside").state, "unchecked");
    env.xbow(&["net", "up", EXAMPLE]).ok();
    set_bytes(&env, "vnic1", 1500, 64);
    // Up: all as specified, and the counters dlstat reads.
    let r = env.xbow(&["net", "diagram", "--live", "--interval", "0", EXAMPLE]);
    let svg = &r.ok().stdout;
    assert!(svg.contains("traffic: bytes counted since each link was created"));
    let bs = boxes(svg);
    for b in &bs {
        let want = if b.kind == "outside" {
            "unchecked"
        } else {
            "ok"
        };
        assert_eq!(b.state, want, "{b:?}");
    }
    // The address the host gave the VNIC, and its counters.
    let v1 = &find(&bs, "vnic", "vnic1").text;
    assert_eq!(v1.len(), 3);
    assert!(
        v1[1].starts_with("mac 2:8:20:") && v1[1].ends_with(" (auto)"),
        "{v1:?}"
    );
    assert_eq!(v1[2], "rx 1500 B tx 64 B");
    // The NAT rules flushed and a VNIC the host lacks: the global zone
    // differs (the tooltip says how), vnic3 is missing.
    env.xbow(&["ipnat", "-C"]).ok();
    let mut spec: Value = serde_json::from_str(&std::fs::read_to_string(EXAMPLE).unwrap()).unwrap();
    spec["vnics"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "vnic3", "over": "etherstub0"}));
    let extra = write_spec(&env, "extra.json", &spec);
    let r = env.xbow(&["net", "diagram", "--live", "--interval", "0", &extra]);
    let bs = boxes(&r.ok().stdout);
    let gz = find(&bs, "global", "global zone");
    assert_eq!(gz.state, "differs");
    assert!(
        gz.tip
            .contains("live: nat map eri0 192.168.0.0/24 -> 0/32: want loaded, have absent"),
        "{}",
        gz.tip
    );
    assert_eq!(find(&bs, "vnic", "vnic3").state, "missing");
    assert_eq!(find(&bs, "vnic", "vnic0").state, "ok");
    // Throughput over an interval: nothing moved, so 0 bit/s.
    let r = env.xbow(&["net", "diagram", "--live", "--interval", "1", EXAMPLE]);
    let bs = boxes(&r.ok().stdout);
    assert_eq!(find(&bs, "vnic", "vnic2").text[2], "rx 0 bit/s tx 0 bit/s");
}

#[test]
fn two_hosts_get_a_frame_each() {
    let Some(env) = sim() else { return };
    let r = env.xbow(&["net", "diagram", TWO_HOSTS]);
    let svg = &r.ok().stdout;
    let bs = boxes(svg);
    assert_readable(&bs);
    assert_eq!(find(&bs, "vnic", "vnic0").host.as_deref(), Some("a"));
    assert_eq!(find(&bs, "zone", "test2").host.as_deref(), Some("b"));
    let o = bs.iter().filter(|b| b.kind == "overlay").count();
    assert_eq!(o, 2, "overlay0 on each host");
    assert!(
        svg.contains("overlay0: VXLAN VNI 4242, UDP 4789, between a 198.51.100.1, b 198.51.100.2")
    );
    let doc = roxmltree::Document::parse(svg).unwrap();
    let frames: Vec<_> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("frame"))
        .map(|n| layout::Rect {
            x: num(n, "x"),
            y: num(n, "y"),
            w: num(n, "width"),
            h: num(n, "height"),
        })
        .collect();
    assert_eq!(frames.len(), 2);
    assert!(!frames[0].overlaps(&frames[1]));
    for b in &bs {
        let f = frames[if b.host.as_deref() == Some("a") { 0 } else { 1 }];
        assert!(f.contains(&b.rect), "{b:?} outside its host's frame");
    }
    // --host: that host's part only.
    let r = env.xbow(&["net", "diagram", "--host", "b", TWO_HOSTS]);
    let bs = boxes(&r.ok().stdout);
    assert!(bs.iter().all(|b| b.host.as_deref() == Some("b")));
    assert_eq!(
        find(&bs, "vnic", "vnic2").text,
        ["vnic2", "mac 2:de:ef:a7:18:23", "maxbw 10.0 Mbit/s"]
    );
    // DOT: a cluster per host.
    let r = env.xbow(&["net", "diagram", "--dot", TWO_HOSTS]);
    assert_eq!(r.ok().stdout.matches("subgraph \"cluster_").count(), 2);
}

#[test]
fn names_are_escaped() {
    let Some(env) = sim() else { return };
    // A spec file whose name holds markup: the title is escaped.
    let spec = env.dir().join("<a&b>'\".json");
    std::fs::copy(EXAMPLE, &spec).unwrap();
    let spec = spec.display().to_string();
    let r = env.xbow(&["net", "diagram", &spec]);
    let doc_text = &r.ok().stdout;
    let doc = roxmltree::Document::parse(doc_text).expect("well-formed");
    let title = doc
        .root_element()
        .children()
        .find(|n| n.has_tag_name("title"))
        .unwrap();
    assert_eq!(title.text(), Some("xbow net diagram <a&b>'\".json"));
    let r = env.xbow(&["net", "diagram", "--dot", &spec]);
    assert!(
        r.ok()
            .stdout
            .starts_with("digraph \"xbow net diagram <a&b>'\\\".json\" {")
    );
}

#[test]
fn output_file_is_private_and_replaces_a_link() {
    let Some(env) = sim() else { return };
    use std::os::unix::fs::PermissionsExt;
    let out = env.dir().join("net.svg");
    env.xbow(&["net", "diagram", EXAMPLE, "-o", out.to_str().unwrap()])
        .ok();
    let m = std::fs::metadata(&out).unwrap();
    assert_eq!(m.permissions().mode() & 0o777, 0o600);
    boxes(&std::fs::read_to_string(&out).unwrap());
    // A symbolic link at the path is replaced, not written through.
    let target = env.dir().join("target");
    std::fs::write(&target, "keep").unwrap();
    let link: PathBuf = env.dir().join("link.svg");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    env.xbow(&["net", "diagram", EXAMPLE, "-o", link.to_str().unwrap()])
        .ok();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    assert!(
        !std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn bad_input_is_refused_with_a_message() {
    let Some(env) = sim() else { return };
    let missing = env.dir().join("nope.json").display().to_string();
    env.xbow(&["net", "diagram", &missing]).fails_with(&format!(
        "xbow net: {missing}: No such file or directory (os error 2)\n"
    ));
    env.xbow(&["net", "diagram", "--host", "c", TWO_HOSTS])
        .fails_with(&format!(
            "xbow net: {TWO_HOSTS}: $.hosts: --host c: not a host of the spec (a, b)\n"
        ));
    let bad = write_spec(
        &env,
        "bad.json",
        &json!({"etherstubs": ["stub0"], "vnics": [{"name": "vnic0", "over": "stub0", "maxbw": "fast"}]}),
    );
    let r = env.xbow(&["net", "diagram", &bad]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""));
    assert!(
        r.stderr
            .starts_with(&format!("xbow net: {bad}: $.vnics[0].maxbw: 'fast'")),
        "{}",
        r.stderr
    );
    let out = env.dir().join("no/such/dir/x.svg").display().to_string();
    env.xbow(&["net", "diagram", EXAMPLE, "-o", &out])
        .fails_with(&format!(
            "xbow net: {out}: No such file or directory (os error 2)\n"
        ));
    let r = env.xbow(&["net", "diagram", "--interval", "1", EXAMPLE]);
    assert_eq!(r.code, 2, "--interval needs --live: {}", r.stderr);
}

/// Where a real renderer is installed (CI installs librsvg2-bin), the
/// picture draws: a PNG comes out.
#[test]
fn renders_to_png_with_rsvg_convert() {
    let Some(env) = sim() else { return };
    let rsvg = Path::new("/usr/bin/rsvg-convert");
    if !rsvg.exists() {
        eprintln!("rsvg-convert not installed (Debian: librsvg2-bin): skipped");
        return;
    }
    let svg = env.dir().join("a.svg");
    let png = env.dir().join("a.png");
    env.xbow(&["net", "diagram", EXAMPLE, "-o", svg.to_str().unwrap()])
        .ok();
    let st = std::process::Command::new(rsvg)
        .arg(&svg)
        .arg("-o")
        .arg(&png)
        .status()
        .unwrap();
    assert!(st.success());
    let b = std::fs::read(&png).unwrap();
    assert!(b.len() > 1000 && b.starts_with(b"\x89PNG\r\n\x1a\n"));
}
