//! `getopt_long(3C)` as illumos libc implements it, so that option errors
//! arrive in the same order and with the same texts as in the C tools.

/// Whether a long option takes a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HasArg {
    No,
    Required,
}

/// One entry of a `struct option` table.
#[derive(Debug, Clone, Copy)]
pub struct LongOpt {
    pub name: &'static str,
    pub has_arg: HasArg,
    pub val: char,
}

impl LongOpt {
    /// `{ name, no_argument, NULL, val }`.
    pub const fn flag(name: &'static str, val: char) -> LongOpt {
        LongOpt {
            name,
            has_arg: HasArg::No,
            val,
        }
    }

    /// `{ name, required_argument, NULL, val }`.
    pub const fn with_arg(name: &'static str, val: char) -> LongOpt {
        LongOpt {
            name,
            has_arg: HasArg::Required,
            val,
        }
    }
}

/// What one call of `getopt_long` returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opt {
    /// An option character with its argument, if it takes one.
    Flag(char, Option<String>),
    /// `':'`: the option needs a value and none was given.
    MissingArg(char),
    /// `'?'`: an option that is not in the option string.
    Unknown(char),
}

/// An iterator over the options of an argument vector (`args[0]` is the
/// subcommand name, as `argv[0]` is for getopt). Like illumos's
/// `getopt_long`, operands may come before options (they are permuted to
/// the end) unless `POSIXLY_CORRECT` is set; `--` ends the options. The
/// operands are [`Getopt::operands`] once the options are consumed.
pub struct Getopt<'a> {
    args: &'a [String],
    optstring: &'static str,
    longopts: &'static [LongOpt],
    permute: bool,
    /// `--name` is a long option (`getopt_long`), else option characters
    /// (`getopt`).
    long: bool,
    operands: Vec<String>,
    /// Where each of `operands` was in `args`.
    operand_at: Vec<usize>,
    optind: usize,
    /// Position inside a cluster of short options (`-tp`).
    nextchar: usize,
    done: bool,
}

impl<'a> Getopt<'a> {
    pub fn new(
        args: &'a [String],
        optstring: &'static str,
        longopts: &'static [LongOpt],
    ) -> Getopt<'a> {
        Getopt {
            args,
            optstring: optstring.strip_prefix(':').unwrap_or(optstring),
            longopts,
            permute: std::env::var_os("POSIXLY_CORRECT").is_none(),
            long: true,
            operands: Vec::new(),
            operand_at: Vec::new(),
            optind: 1,
            nextchar: 0,
            done: false,
        }
    }

    /// Whether `c` is an option character, and whether it takes a value.
    fn short(&self, c: char) -> Option<bool> {
        if c == ':' {
            return None;
        }
        let i = self.optstring.find(c)?;
        Some(self.optstring[i + c.len_utf8()..].starts_with(':'))
    }

    /// The operands: the arguments that are not options, in order.
    pub fn operands(&self) -> Vec<String> {
        let mut v = self.operands.clone();
        v.extend_from_slice(&self.args[self.optind.min(self.args.len())..]);
        v
    }

    /// The argument vector as getopt leaves it once the options are
    /// consumed: the name, the options in their order (with their values
    /// and a `--`), then the operands it moved to the end.
    pub fn argv(&self) -> Vec<String> {
        let end = self.optind.min(self.args.len());
        let mut v: Vec<String> = (0..end)
            .filter(|i| !self.operand_at.contains(i))
            .map(|i| self.args[i].clone())
            .collect();
        v.extend(self.operands());
        v
    }

    /// `getopt(3C)`: no long options and no permutation (the first operand
    /// ends the options).
    pub fn posix(args: &'a [String], optstring: &'static str) -> Getopt<'a> {
        Getopt {
            permute: false,
            long: false,
            ..Getopt::new(args, optstring, &[])
        }
    }

    fn long(&mut self, body: &str) -> Opt {
        self.optind += 1;
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        let exact = self.longopts.iter().find(|o| o.name == name);
        let opt = match exact {
            Some(o) => Some(*o),
            None => {
                let mut matches = self.longopts.iter().filter(|o| o.name.starts_with(name));
                match (matches.next(), matches.next()) {
                    (Some(o), None) => Some(*o),
                    _ => None,
                }
            }
        };
        let Some(opt) = opt else {
            // getopt_long leaves optopt at 0 for an unknown long option.
            return Opt::Unknown('\0');
        };
        match (opt.has_arg, inline) {
            (HasArg::No, Some(_)) => Opt::MissingArg(opt.val),
            (HasArg::No, None) => Opt::Flag(opt.val, None),
            (HasArg::Required, Some(v)) => Opt::Flag(opt.val, Some(v)),
            (HasArg::Required, None) => match self.args.get(self.optind) {
                Some(v) => {
                    self.optind += 1;
                    Opt::Flag(opt.val, Some(v.clone()))
                }
                None => Opt::MissingArg(opt.val),
            },
        }
    }
}

impl Iterator for Getopt<'_> {
    type Item = Opt;

    fn next(&mut self) -> Option<Opt> {
        if self.done {
            return None;
        }
        while self.nextchar == 0 {
            let Some(arg) = self.args.get(self.optind) else {
                self.done = true;
                return None;
            };
            if arg == "--" {
                self.optind += 1;
                self.done = true;
                return None;
            }
            if !arg.starts_with('-') || arg == "-" {
                if self.permute {
                    self.operands.push(arg.clone());
                    self.operand_at.push(self.optind);
                    self.optind += 1;
                    continue;
                }
                self.done = true;
                return None;
            }
            if let Some(body) = arg.strip_prefix("--").filter(|_| self.long) {
                return Some(self.long(body));
            }
            self.nextchar = 1;
        }
        let arg = &self.args[self.optind];
        let c = arg[self.nextchar..]
            .chars()
            .next()
            .expect("non-empty cluster");
        self.nextchar += c.len_utf8();
        let at_end = self.nextchar >= arg.len();
        let result = match self.short(c) {
            None => Opt::Unknown(c),
            Some(false) => Opt::Flag(c, None),
            Some(true) => {
                if !at_end {
                    let v = arg[self.nextchar..].to_string();
                    self.optind += 1;
                    self.nextchar = 0;
                    return Some(Opt::Flag(c, Some(v)));
                }
                self.optind += 1;
                self.nextchar = 0;
                return Some(match self.args.get(self.optind) {
                    Some(v) => {
                        self.optind += 1;
                        Opt::Flag(c, Some(v.clone()))
                    }
                    None => Opt::MissingArg(c),
                });
            }
        };
        if at_end {
            self.optind += 1;
            self.nextchar = 0;
        }
        Some(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: &[LongOpt] = &[
        LongOpt::flag("temporary", 't'),
        LongOpt::with_arg("output", 'o'),
    ];

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn clusters_values_and_operands() {
        let a = args(&[
            "cmd",
            "-tp",
            "-o",
            "link",
            "-ofoo",
            "--output=x",
            "name",
            "--temp",
            "--",
            "-t",
        ]);
        let mut g = Getopt::new(&a, ":tpo:", LONG);
        let got: Vec<Opt> = g.by_ref().collect();
        assert_eq!(
            got,
            vec![
                Opt::Flag('t', None),
                Opt::Flag('p', None),
                Opt::Flag('o', Some("link".into())),
                Opt::Flag('o', Some("foo".into())),
                Opt::Flag('o', Some("x".into())),
                Opt::Flag('t', None),
            ]
        );
        assert_eq!(g.operands(), args(&["name", "-t"]));
        // Operands permuted after the options, as illumos getopt_long
        // leaves argv.
        assert_eq!(
            g.argv(),
            args(&[
                "cmd",
                "-tp",
                "-o",
                "link",
                "-ofoo",
                "--output=x",
                "--temp",
                "--",
                "name",
                "-t"
            ])
        );
    }

    #[test]
    fn errors() {
        let a = args(&["cmd", "-x", "-o"]);
        let got: Vec<Opt> = Getopt::new(&a, ":o:", LONG).collect();
        assert_eq!(got, vec![Opt::Unknown('x'), Opt::MissingArg('o')]);
        let a = args(&["cmd", "-o"]);
        let got: Vec<Opt> = Getopt::new(&a, "o:", LONG).collect();
        assert_eq!(got, vec![Opt::MissingArg('o')]);
        // getopt(3C): `--x` is option characters, operands end the options.
        let a = args(&["cmd", "--x", "op", "-l"]);
        let mut g = Getopt::posix(&a, "l");
        assert_eq!(
            g.by_ref().collect::<Vec<_>>(),
            vec![Opt::Unknown('-'), Opt::Unknown('x')]
        );
        assert_eq!(g.operands(), args(&["op", "-l"]));
        let a = args(&["cmd", "--bogus", "--temporary=1"]);
        let got: Vec<Opt> = Getopt::new(&a, ":t", LONG).collect();
        assert_eq!(got, vec![Opt::Unknown('\0'), Opt::MissingArg('t')]);
        let a = args(&["cmd", "--", "-t"]);
        let mut g = Getopt::new(&a, ":t", LONG);
        assert_eq!(g.next(), None);
        assert_eq!(g.operands(), args(&["-t"]));
    }
}
