//! The packages, checked without an illumos host: the IPS manifest
//! (`illumos-ci/pkg/xbow.p5m`) parses as IPS actions and delivers exactly
//! the proto area `illumos-ci/package.sh` lays out; the pkgsrc package
//! (`pkgsrc/net/xbow`) lists the same man pages and links; neither puts
//! `dladm`, `dlstat` or `ipnat` over the system's tools; the versions are
//! Cargo.toml's; `cargo-depends.mk` is in step with `Cargo.lock`.
//!
//! What only an OmniOS or SmartOS host can check (pkgsend, pkglint,
//! pkg install, bmake) is in `illumos-ci/run.sh` and `pkgsrc/README.md`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

// ------------------------------------------------------------ IPS manifests

/// One IPS action: `name [payload] key=value ...`.
#[derive(Debug, PartialEq)]
struct Action {
    name: String,
    payload: Option<String>,
    attrs: Vec<(String, String)>,
}

impl Action {
    fn get(&self, key: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// The actions pkg(7) knows that a manifest of ours may use.
const ACTIONS: &[&str] = &["set", "file", "dir", "link", "depend", "license", "legacy"];

/// Attributes each action must have.
fn required(action: &str) -> &'static [&'static str] {
    match action {
        "set" => &["name", "value"],
        "file" | "dir" => &["path", "owner", "group", "mode"],
        "link" => &["path", "target"],
        "depend" => &["type", "fmri"],
        "license" => &["license"],
        "legacy" => &["pkg"],
        _ => &[],
    }
}

/// The logical lines of a manifest: comments and blank lines dropped, a
/// line ending in a backslash joined with the next. Each comes with the
/// number of its first physical line.
fn logical_lines(text: &str) -> Result<Vec<(usize, String)>, String> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim_end();
        if cur.is_none() && (line.trim_start().starts_with('#') || line.trim().is_empty()) {
            continue;
        }
        let (cont, body) = match line.strip_suffix('\\') {
            Some(b) => (true, b),
            None => (false, line),
        };
        match cur.as_mut() {
            Some((_, acc)) => {
                acc.push(' ');
                acc.push_str(body.trim_start());
            }
            None => cur = Some((n, body.to_string())),
        }
        if !cont {
            out.push(cur.take().unwrap());
        }
    }
    if let Some((n, _)) = cur {
        return Err(format!("line {n}: the last line ends in a continuation"));
    }
    Ok(out)
}

/// Split an action line into its words: whitespace separates them; a value
/// may be quoted with `"` or `'` (a backslash escapes the quote inside).
/// Returns (key, value) pairs; a word without `=` has no key.
fn words(line: &str) -> Result<Vec<(Option<String>, String)>, String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(out);
        }
        let mut word = String::new();
        let mut key = None;
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            if c == '=' && key.is_none() {
                if word.is_empty() {
                    return Err("an attribute without a name".into());
                }
                key = Some(std::mem::take(&mut word));
                if let Some(&q) = chars.peek().filter(|&&q| q == '"' || q == '\'') {
                    chars.next();
                    loop {
                        match chars.next() {
                            None => return Err(format!("unterminated {q} quote")),
                            Some('\\') if chars.peek() == Some(&q) => {
                                word.push(q);
                                chars.next();
                            }
                            Some(c) if c == q => break,
                            Some(c) => word.push(c),
                        }
                    }
                    if chars.peek().is_some_and(|c| !c.is_whitespace()) {
                        return Err(format!("text after the closing quote of {word:?}"));
                    }
                    break;
                }
            } else if c == '"' || c == '\'' {
                return Err(format!("a quote inside an unquoted word: {line}"));
            } else {
                word.push(c);
            }
        }
        out.push((key, word));
    }
}

fn parse_action(line: &str) -> Result<Action, String> {
    let mut ws = words(line)?.into_iter();
    let name = match ws.next() {
        Some((None, n)) if ACTIONS.contains(&n.as_str()) => n,
        Some((_, n)) => return Err(format!("unknown action {n:?}")),
        None => return Err("an empty action".into()),
    };
    let mut payload = None;
    let mut attrs = Vec::new();
    for (i, (k, v)) in ws.enumerate() {
        match k {
            Some(k) => {
                if !k
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
                {
                    return Err(format!("bad attribute name {k:?}"));
                }
                attrs.push((k, v));
            }
            // Only file and license actions carry a payload, named first.
            None if i == 0 && (name == "file" || name == "license") => payload = Some(v),
            None => return Err(format!("{v:?} is not key=value")),
        }
    }
    let a = Action {
        name,
        payload,
        attrs,
    };
    for key in required(&a.name) {
        if a.get(key).is_none() {
            return Err(format!("{} action without {key}=", a.name));
        }
    }
    for (k, v) in &a.attrs {
        if k != "value" && k != "fmri" && a.attrs.iter().filter(|(k2, _)| k2 == k).count() > 1 {
            return Err(format!("{k}= twice"));
        }
        if k == "path" && (v.starts_with('/') || v.split('/').any(|c| c.is_empty() || c == "..")) {
            return Err(format!("path {v:?} must be relative and normal"));
        }
        if k == "mode"
            && !(v.len() == 4 && v.starts_with('0') && v.chars().all(|c| ('0'..='7').contains(&c)))
        {
            return Err(format!("mode {v:?} is not four octal digits"));
        }
        // The only macros package.sh defines (pkgmogrify -D).
        let rest = v.replace("$(VERSION)", "").replace("$(ARCH)", "");
        if rest.contains("$(") {
            return Err(format!("{v:?}: an unknown macro"));
        }
    }
    Ok(a)
}

fn parse_manifest(text: &str) -> Result<Vec<Action>, String> {
    logical_lines(text)?
        .into_iter()
        .map(|(n, l)| parse_action(&l).map_err(|e| format!("line {n}: {e}")))
        .collect()
}

fn manifest() -> Vec<Action> {
    parse_manifest(&read("illumos-ci/pkg/xbow.p5m"))
        .unwrap_or_else(|e| panic!("illumos-ci/pkg/xbow.p5m: {e}"))
}

fn paths_of<'a>(m: &'a [Action], action: &str) -> BTreeSet<&'a str> {
    m.iter()
        .filter(|a| a.name == action)
        .map(|a| a.get("path").unwrap())
        .collect()
}

fn set_value<'a>(m: &'a [Action], name: &str) -> Option<&'a str> {
    m.iter()
        .find(|a| a.name == "set" && a.get("name") == Some(name))
        .and_then(|a| a.get("value"))
}

/// `base/target`, with `.` and `..` resolved lexically.
fn resolve(base: &Path, target: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    for c in base.join(target).components() {
        match c {
            Component::ParentDir => {
                parts.pop();
            }
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            _ => {}
        }
    }
    parts.join("/")
}

/// The man pages of man/: (section, file name).
fn man_pages() -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = fs::read_dir(root().join("man"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|f| {
            let sec = f.rsplit_once('.')?.1.to_string();
            sec.chars().all(|c| c.is_ascii_digit()).then_some((sec, f))
        })
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no man pages in man/");
    v
}

#[test]
fn the_parser_takes_quotes_continuations_and_payloads() {
    let m = parse_manifest(
        "# a comment\n\
         set name=pkg.summary value=\"two words\" \\\n    value='it\\'s'\n\
         \n\
         file some/payload path=opt/x owner=root group=bin mode=0555\n\
         depend type=require fmri=pkg:/system/library@0.5.11\n",
    )
    .unwrap();
    assert_eq!(m.len(), 3);
    assert_eq!(
        m[0].attrs,
        [
            ("name".to_string(), "pkg.summary".to_string()),
            ("value".to_string(), "two words".to_string()),
            ("value".to_string(), "it's".to_string()),
        ]
    );
    assert_eq!(m[1].payload.as_deref(), Some("some/payload"));
    assert_eq!(m[2].get("fmri"), Some("pkg:/system/library@0.5.11"));
}

#[test]
fn the_parser_refuses_what_pkg_would() {
    for (bad, why) in [
        ("frob path=x", "unknown action"),
        ("set name=a value=\"open", "unterminated"),
        ("set name=a value=\"x\"y", "after the closing quote"),
        ("dir path=opt/x owner=root group=bin", "without mode="),
        ("dir path=/opt/x owner=root group=bin mode=0755", "relative"),
        (
            "dir path=opt/../x owner=root group=bin mode=0755",
            "relative",
        ),
        ("file path=opt/x owner=root group=bin mode=755", "octal"),
        ("link path=opt/x target=y stray", "not key=value"),
        ("set name=a value=$(RELEASE)", "unknown macro"),
        ("link path=a path=b target=c", "twice"),
        ("set name=a \\", "continuation"),
    ] {
        let e = parse_manifest(bad).expect_err(bad);
        assert!(e.contains(why), "{bad:?}: {e:?} does not say {why:?}");
    }
}

#[test]
fn the_manifest_names_the_package_and_its_version_macro() {
    let m = manifest();
    assert_eq!(
        set_value(&m, "pkg.fmri"),
        Some("ooce/network/xbow@$(VERSION)")
    );
    for name in [
        "pkg.summary",
        "pkg.description",
        "info.classification",
        "variant.arch",
    ] {
        assert!(set_value(&m, name).is_some(), "no set name={name}");
    }
    assert_eq!(set_value(&m, "variant.arch"), Some("$(ARCH)"));
}

#[test]
fn package_sh_takes_the_version_from_cargo_toml() {
    let out = Command::new("bash")
        .arg(root().join("illumos-ci/package.sh"))
        .arg("--print-version")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        env!("CARGO_PKG_VERSION")
    );
}

#[test]
fn the_manifest_delivers_exactly_the_proto_area() {
    let m = manifest();
    let tmp = tempfile::tempdir().unwrap();
    let proto = tmp.path().join("proto");
    let out = Command::new("bash")
        .arg(root().join("illumos-ci/package.sh"))
        .arg("--proto-only")
        .arg(&proto)
        .arg("--bin")
        .arg(env!("CARGO_BIN_EXE_xbow"))
        .output()
        .unwrap();
    assert!(out.status.success(), "package.sh --proto-only: {out:?}");

    // Every regular file of the proto area is a file action, and back.
    let mut built = BTreeSet::new();
    let mut dirs = BTreeSet::new();
    let mut stack = vec![proto.clone()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p
                .strip_prefix(&proto)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let t = fs::symlink_metadata(&p).unwrap().file_type();
            if t.is_dir() {
                dirs.insert(rel);
                stack.push(p);
            } else {
                assert!(
                    t.is_file(),
                    "{rel}: not a regular file (links are the manifest's)"
                );
                built.insert(rel);
            }
        }
    }
    let files = paths_of(&m, "file");
    let built_ref: BTreeSet<&str> = built.iter().map(String::as_str).collect();
    assert_eq!(files, built_ref, "file actions vs. the proto area");
    for a in m.iter().filter(|a| a.name == "file") {
        assert!(a.payload.is_none(), "{a:?}: the payload is the proto file");
    }
    assert_eq!(
        m.iter()
            .find(|a| a.get("path") == Some("opt/ooce/xbow/bin/xbow"))
            .and_then(|a| a.get("mode")),
        Some("0555")
    );

    // Every directory that holds something delivered is delivered (below
    // opt, which the system owns), and every delivered one holds something.
    let dir_actions = paths_of(&m, "dir");
    let links = paths_of(&m, "link");
    let mut needed = BTreeSet::new();
    for p in files.iter().chain(links.iter()) {
        let mut d = Path::new(p).parent();
        while let Some(x) = d.filter(|x| x.components().count() > 1) {
            needed.insert(x.to_string_lossy().into_owned());
            d = x.parent();
        }
    }
    let needed_ref: BTreeSet<&str> = needed.iter().map(String::as_str).collect();
    assert_eq!(
        dir_actions, needed_ref,
        "dir actions vs. the directories needed"
    );
    for d in &dirs {
        assert!(
            d == "opt" || dir_actions.contains(d.as_str()),
            "{d}: in the proto area, no dir action"
        );
    }

    // Links are relative and lead to the binary.
    for a in m.iter().filter(|a| a.name == "link") {
        let (path, target) = (a.get("path").unwrap(), a.get("target").unwrap());
        assert!(!target.starts_with('/'), "{path}: absolute target {target}");
        let parent = Path::new(path).parent().unwrap();
        assert_eq!(
            resolve(parent, target),
            "opt/ooce/xbow/bin/xbow",
            "{path} -> {target}"
        );
        assert!(a.get("mediator").is_none(), "{path}: no mediator (README)");
    }
    for l in ["dladm", "dlstat", "ipnat", "ipf", "ipfstat"] {
        assert!(links.contains(format!("opt/ooce/xbow/bin/{l}").as_str()));
    }
    assert!(links.contains("opt/ooce/bin/xbow"));
}

#[test]
fn nothing_goes_over_the_system_tools() {
    let m = manifest();
    for a in m.iter().filter(|a| a.get("path").is_some()) {
        let p = a.get("path").unwrap();
        assert!(
            p == "opt/ooce" || p.starts_with("opt/ooce/"),
            "{p}: outside /opt/ooce"
        );
        // /opt/ooce/bin is in many PATHs: only `xbow` goes there.
        if let Some(name) = p.strip_prefix("opt/ooce/bin/") {
            assert_eq!(name, "xbow");
        }
    }
    for line in read("pkgsrc/net/xbow/PLIST").lines() {
        assert!(!line.starts_with("sbin/"), "PLIST: {line}");
        assert!(
            !matches!(
                line,
                "bin/dladm" | "bin/ipnat" | "bin/dlstat" | "bin/ipf" | "bin/ipfstat"
            ),
            "PLIST: {line} would shadow the system tool"
        );
    }
}

#[test]
fn every_man_page_is_packaged() {
    let m = manifest();
    let files = paths_of(&m, "file");
    let plist: BTreeSet<String> = read("pkgsrc/net/xbow/PLIST")
        .lines()
        .filter(|l| !l.starts_with('@'))
        .map(str::to_string)
        .collect();
    let makefile = read("pkgsrc/net/xbow/Makefile");
    let listed = makefile
        .lines()
        .find_map(|l| l.strip_prefix("XBOW_MANPAGES="))
        .expect("XBOW_MANPAGES= in the Makefile");
    let listed: BTreeSet<&str> = listed.split_whitespace().collect();
    let pages = man_pages();
    for (sec, f) in &pages {
        let ips = format!("opt/ooce/xbow/share/man/man{sec}/{f}");
        assert!(files.contains(ips.as_str()), "manifest: no {ips}");
        let pk = format!("man/man{sec}/{f}");
        assert!(plist.contains(&pk), "PLIST: no {pk}");
        assert!(
            listed.contains(f.as_str()),
            "Makefile XBOW_MANPAGES: no {f}"
        );
    }
    // And nothing else.
    let man_files = files.iter().filter(|p| p.contains("/share/man/")).count();
    assert_eq!(man_files, pages.len(), "manifest: man pages not in man/");
    assert_eq!(
        listed.len(),
        pages.len(),
        "XBOW_MANPAGES: pages not in man/"
    );
    let plist_man = plist.iter().filter(|p| p.starts_with("man/")).count();
    assert_eq!(plist_man, pages.len(), "PLIST: man pages not in man/");
}

#[test]
fn the_pkgsrc_package_agrees_with_the_ips_one() {
    let plist_text = read("pkgsrc/net/xbow/PLIST");
    let mut lines = plist_text.lines();
    assert!(lines.next().unwrap().starts_with("@comment $NetBSD"));
    let entries: Vec<&str> = lines.collect();
    let mut sorted = entries.clone();
    sorted.sort();
    assert_eq!(entries, sorted, "PLIST is sorted");
    assert!(entries.contains(&"bin/xbow"));

    let makefile = read("pkgsrc/net/xbow/Makefile");
    let var = |name: &str| -> String {
        makefile
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("no {name}= in the Makefile"))
            .trim()
            .to_string()
    };
    assert_eq!(
        var("DISTNAME"),
        format!("xbow-{}", env!("CARGO_PKG_VERSION"))
    );
    for inc in [
        ".include \"cargo-depends.mk\"",
        ".include \"../../lang/rust/cargo.mk\"",
        ".include \"../../mk/bsd.pkg.mk\"",
    ] {
        assert!(makefile.contains(inc), "Makefile: no {inc}");
    }

    // The same personalities as links, in libexec/xbow/bin (pkgsrc) and
    // opt/ooce/xbow/bin (IPS).
    let pkgsrc_links: BTreeSet<&str> = entries
        .iter()
        .filter_map(|e| e.strip_prefix("libexec/xbow/bin/"))
        .collect();
    let xbow_links = var("XBOW_LINKS");
    let make_links: BTreeSet<&str> = xbow_links.split_whitespace().collect();
    assert_eq!(pkgsrc_links, make_links, "PLIST vs. XBOW_LINKS");
    let m = manifest();
    let ips_links: BTreeSet<&str> = paths_of(&m, "link")
        .into_iter()
        .filter_map(|p| p.strip_prefix("opt/ooce/xbow/bin/"))
        .collect();
    assert_eq!(pkgsrc_links, ips_links, "pkgsrc vs. IPS links");
}

#[test]
fn cargo_depends_mk_is_in_step_with_cargo_lock() {
    let out = Command::new("bash")
        .arg(root().join("pkgsrc/cargo-depends.sh"))
        .arg("--check")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Independently of the script: one line per registry package.
    let lock = read("Cargo.lock");
    let mut want = Vec::new();
    for block in lock.split("[[package]]").skip(1) {
        let field = |k: &str| {
            block.lines().find_map(|l| {
                l.strip_prefix(&format!("{k} = \""))
                    .and_then(|r| r.strip_suffix('"'))
            })
        };
        if field("source").is_some() {
            want.push(format!(
                "CARGO_CRATE_DEPENDS+=\t{}-{}",
                field("name").unwrap(),
                field("version").unwrap()
            ));
        }
    }
    let mk = read("pkgsrc/net/xbow/cargo-depends.mk");
    let have: Vec<&str> = mk
        .lines()
        .filter(|l| l.starts_with("CARGO_CRATE_DEPENDS"))
        .collect();
    assert_eq!(have, want);
    assert!(have.len() > 10);
}
