//! `-R ROOT` (dladm.c `altroot_cmd`): the running system is left alone;
//! the command is appended to the alternate root's upgrade profile, which
//! that root runs when it next boots.

use super::{CmdResult, die};
use crate::backend::files;
use std::path::Path;

/// `SMF_UPGRADE_FILE`.
const UPGRADE_FILE: &str = "/var/svc/profile/upgrade";
/// `SMF_UPGRADEDATALINK_FILE`, used once the root has a `datalink.conf`.
const UPGRADE_DATALINK_FILE: &str = "/var/svc/profile/upgrade_datalink";
/// `SMF_DLADM_UPGRADE_MSG` (illumos-gate since the man-page section
/// renumbering; `dladm(1M)` before).
const UPGRADE_MSG: &str = " # added by dladm(8)";

/// The line `altroot_cmd` writes for the subcommand's argument vector as
/// getopt left it (`argv[0]` is the subcommand): `/sbin/dladm `, each word
/// and a space, a separate `-R` and its value left out, then the comment.
/// `None` when a word holds a line break, which would end the line early
/// in a script the root runs at boot.
fn line(argv: &[String]) -> Option<String> {
    let mut s = String::from("/sbin/dladm ");
    let mut words = argv.iter();
    while let Some(w) = words.next() {
        if w == "-R" {
            words.next();
            continue;
        }
        if w.contains(['\n', '\r']) {
            return None;
        }
        s.push_str(w);
        s.push(' ');
    }
    s.push_str(UPGRADE_MSG);
    s.push('\n');
    Some(s)
}

/// Append the command to ROOT's upgrade profile; the subcommand is then
/// done (exit 0). `operation not supported on ROOT` where the profile
/// cannot be opened.
pub fn altroot_cmd(root: &str, argv: &[String]) -> CmdResult {
    let conf = format!("/{root}/etc/dladm/datalink.conf");
    let file = if Path::new(&conf).exists() {
        UPGRADE_DATALINK_FILE
    } else {
        UPGRADE_FILE
    };
    let path = format!("/{root}/{file}");
    let Some(line) = line(argv) else {
        return Err(die(format!(
            "-R {root}: an argument holds a line break; nothing was written to {path}"
        )));
    };
    // `fopen(path, "a+")` failing is the message; so is a failed write,
    // which dladm does not check.
    files::append_private(Path::new(&path), line.as_bytes())
        .map_err(|_| die(format!("operation not supported on {root}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn skips_a_separate_dash_r_and_its_value() {
        assert_eq!(
            line(&words(&[
                "create-vnic",
                "-l",
                "e1000g0",
                "-R",
                "/a",
                "vnic1"
            ]))
            .unwrap(),
            "/sbin/dladm create-vnic -l e1000g0 vnic1  # added by dladm(8)\n"
        );
        // An attached or long form is written as it was typed.
        assert_eq!(
            line(&words(&["delete-vnic", "-R/a", "--root-dir=/a", "v"])).unwrap(),
            "/sbin/dladm delete-vnic -R/a --root-dir=/a v  # added by dladm(8)\n"
        );
        assert_eq!(line(&words(&["delete-vnic", "a\nb"])), None);
    }
}
