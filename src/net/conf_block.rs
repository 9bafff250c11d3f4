//! xbow's block in an IP Filter rules file (the ipfilter service's NAT
//! and filter rules, a zone's `ZONEPATH/etc/ipf.conf`): the rules loaded
//! at boot. Lines outside the block are never touched.

const BEGIN: &str = "# BEGIN xbow net: managed by xbow; change the spec, not these lines";
const END: &str = "# END xbow net";

fn is_begin(l: &str) -> bool {
    l.starts_with("# BEGIN xbow net")
}

/// The rules in xbow's block.
pub fn block_rules(text: &str) -> Vec<String> {
    let mut inside = false;
    let mut out = Vec::new();
    for l in text.lines() {
        if is_begin(l) {
            inside = true;
        } else if l == END {
            inside = false;
        } else if inside && !l.trim().is_empty() {
            out.push(l.to_string());
        }
    }
    out
}

/// Whether the file has rules of its own, outside xbow's block.
pub fn has_other_rules(text: &str) -> bool {
    let mut inside = false;
    text.lines().any(|l| {
        if is_begin(l) {
            inside = true;
            return false;
        }
        if l == END {
            inside = false;
            return false;
        }
        let t = l.trim();
        !inside && !t.is_empty() && !t.starts_with('#')
    })
}

/// The file with xbow's block holding `rules` (in place if there is one,
/// else appended); no block at all when `rules` is empty.
pub fn with_block(text: &str, rules: &[String]) -> String {
    let mut out = String::new();
    let mut inside = false;
    let mut placed = false;
    let block = |out: &mut String| {
        if !rules.is_empty() {
            out.push_str(BEGIN);
            out.push('\n');
            for r in rules {
                out.push_str(r);
                out.push('\n');
            }
            out.push_str(END);
            out.push('\n');
        }
    };
    for l in text.lines() {
        if is_begin(l) {
            inside = true;
            if !placed {
                block(&mut out);
                placed = true;
            }
            continue;
        }
        if inside {
            if l == END {
                inside = false;
            }
            continue;
        }
        out.push_str(l);
        out.push('\n');
    }
    if !placed {
        block(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_is_added_replaced_and_removed() {
        let admin = "# site rules\nrdr e1000g0 0/0 port 80 -> 10.0.0.5 port 8080\n";
        let r = vec!["map eri0 192.168.0.0/24 -> 0/32".to_string()];
        let t = with_block(admin, &r);
        assert_eq!(
            t,
            format!("{admin}{BEGIN}\nmap eri0 192.168.0.0/24 -> 0/32\n{END}\n")
        );
        assert_eq!(block_rules(&t), r);
        assert!(has_other_rules(&t));
        let r2 = vec!["map a0 10.0.0.0/8 -> 0/32".to_string(), r[0].clone()];
        let t2 = with_block(&t, &r2);
        assert_eq!(block_rules(&t2), r2);
        assert!(t2.starts_with(admin));
        assert_eq!(with_block(&t2, &[]), admin);
        assert!(!has_other_rules(&with_block("# only comments\n", &r)));
        assert_eq!(with_block("", &[]), "");
    }
}
