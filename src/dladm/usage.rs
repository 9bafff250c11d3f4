//! dladm's command table usage strings (illumos `cmds[]`, in order), as
//! the full usage text prints them.

/// Every subcommand with its usage string (`None`: not listed).
pub const COMMANDS: &[(&str, Option<&str>)] = &[
    ("help", None),
    (
        "rename-link",
        Some("    rename-link      <oldlink> <newlink>"),
    ),
    (
        "show-link",
        Some("    show-link        [-pP] [-o <field>,..] [-s [-i <interval>]] [<link>]\n"),
    ),
    (
        "create-aggr",
        Some(
            "    create-aggr      [-t] [-P <policy>] [-L <mode>] [-T <time>] [-u <address>]\n\t\t     -l <link> [-l <link>...] <link>",
        ),
    ),
    ("delete-aggr", Some("    delete-aggr      [-t] <link>")),
    (
        "add-aggr",
        Some("    add-aggr         [-t] -l <link> [-l <link>...] <link>"),
    ),
    (
        "remove-aggr",
        Some("    remove-aggr      [-t] -l <link> [-l <link>...] <link>"),
    ),
    (
        "modify-aggr",
        Some(
            "    modify-aggr      [-t] [-P <policy>] [-L <mode>] [-T <time>] [-u <address>]\n\t\t     <link>",
        ),
    ),
    (
        "show-aggr",
        Some("    show-aggr        [-pPLx] [-o <field>,..] [-s [-i <interval>]] [<link>]\n"),
    ),
    ("up-aggr", None),
    (
        "scan-wifi",
        Some("    scan-wifi        [-p] [-o <field>,...] [<link>]"),
    ),
    (
        "connect-wifi",
        Some(
            "    connect-wifi     [-e <essid>] [-i <bssid>] [-k <key>,...] [-s wep|wpa]\n\t\t     [-a open|shared] [-b bss|ibss] [-c] [-m a|b|g] [-T <time>]\n\t\t     [<link>]",
        ),
    ),
    (
        "disconnect-wifi",
        Some("    disconnect-wifi  [-a] [<link>]"),
    ),
    (
        "show-wifi",
        Some("    show-wifi        [-p] [-o <field>,...] [<link>]\n"),
    ),
    (
        "set-linkprop",
        Some("    set-linkprop     [-t] -p <prop>=<value>[,...] <name>"),
    ),
    (
        "reset-linkprop",
        Some("    reset-linkprop   [-t] [-p <prop>,...] <name>"),
    ),
    (
        "show-linkprop",
        Some("    show-linkprop    [-cP] [-o <field>,...] [-p <prop>,...] <name>\n"),
    ),
    (
        "show-ether",
        Some("    show-ether       [-px][-o <field>,...] <link>\n"),
    ),
    (
        "create-secobj",
        Some("    create-secobj    [-t] [-f <file>] -c <class> <secobj>"),
    ),
    (
        "delete-secobj",
        Some("    delete-secobj    [-t] <secobj>[,...]"),
    ),
    (
        "show-secobj",
        Some("    show-secobj      [-pP] [-o <field>,...] [<secobj>,...]\n"),
    ),
    ("init-linkprop", None),
    ("init-secobj", None),
    (
        "create-vlan",
        Some("    create-vlan      [-ft] -l <link> -v <vid> [link]"),
    ),
    ("delete-vlan", Some("    delete-vlan      [-t] <link>")),
    (
        "show-vlan",
        Some("    show-vlan        [-pP] [-o <field>,..] [<link>]\n"),
    ),
    ("up-vlan", None),
    (
        "create-iptun",
        Some("    create-iptun     [-t] -T <type> [-a {local|remote}=<addr>,...] <link>]"),
    ),
    ("delete-iptun", Some("    delete-iptun     [-t] <link>")),
    (
        "modify-iptun",
        Some("    modify-iptun     [-t] -a {local|remote}=<addr>,... <link>"),
    ),
    (
        "show-iptun",
        Some("    show-iptun       [-pP] [-o <field>,..] [<link>]\n"),
    ),
    ("up-iptun", None),
    ("down-iptun", None),
    ("delete-phys", Some("    delete-phys      <link>")),
    (
        "show-phys",
        Some("    show-phys        [-m | -H | -P] [[-p] [-o <field>[,...]] [<link>]\n"),
    ),
    ("init-phys", None),
    ("show-linkmap", None),
    (
        "create-vnic",
        Some(
            "    create-vnic      [-t] -l <link> [-m <value> | auto |\n\t\t     {factory [-n <slot-id>]} | {random [-r <prefix>]} |\n\t\t     {vrrp -V <vrid> -A {inet | inet6}} [-v <vid> [-f]]\n\t\t     [-p <prop>=<value>[,...]] <vnic-link>",
        ),
    ),
    ("delete-vnic", Some("    delete-vnic      [-t] <vnic-link>")),
    (
        "show-vnic",
        Some("    show-vnic        [-pP] [-l <link>] [-s [-i <interval>]] [<link>]\n"),
    ),
    ("up-vnic", None),
    (
        "create-part",
        Some(
            "    create-part      [-t] [-f] -l <link> [-P <pkey>]\n\t\t     [-R <root-dir>] <part-link>",
        ),
    ),
    (
        "delete-part",
        Some("    delete-part      [-t] [-R <root-dir>] <part-link>"),
    ),
    (
        "show-part",
        Some("    show-part        [-pP] [-o <field>,...][-l <linkover>]\n\t\t     [<part-link>]"),
    ),
    (
        "show-ib",
        Some("    show-ib          [-p] [-o <field>,...] [<link>]\n"),
    ),
    ("up-part", None),
    ("create-etherstub", Some("    create-etherstub [-t] <link>")),
    ("delete-etherstub", Some("    delete-etherstub [-t] <link>")),
    (
        "show-etherstub",
        Some("    show-etherstub   [-t] [<link>]\n"),
    ),
    ("create-simnet", None),
    ("modify-simnet", None),
    ("delete-simnet", None),
    ("show-simnet", None),
    ("up-simnet", None),
    (
        "create-bridge",
        Some(
            "    create-bridge    [-R <root-dir>] [-P <protect>] [-p <priority>]\n\t\t     [-m <max-age>] [-h <hello-time>] [-d <forward-delay>]\n\t\t     [-f <force-protocol>] [-l <link>]... <bridge>",
        ),
    ),
    (
        "modify-bridge",
        Some(
            "    modify-bridge    [-R <root-dir>] [-P <protect>] [-p <priority>]\n\t\t     [-m <max-age>] [-h <hello-time>] [-d <forward-delay>]\n\t\t     [-f <force-protocol>] <bridge>",
        ),
    ),
    (
        "delete-bridge",
        Some("    delete-bridge    [-R <root-dir>] <bridge>"),
    ),
    (
        "add-bridge",
        Some("    add-bridge       [-R <root-dir>] -l <link> [-l <link>]... <bridge>"),
    ),
    (
        "remove-bridge",
        Some("    remove-bridge    [-R <root-dir>] -l <link> [-l <link>]... <bridge>"),
    ),
    (
        "show-bridge",
        Some(
            "    show-bridge      [-p] [-o <field>,...] [-s [-i <interval>]] [<bridge>]\n    show-bridge      -l [-p] [-o <field>,...] [-s [-i <interval>]] <bridge>\n    show-bridge      -f [-p] [-o <field>,...] [-s [-i <interval>]] <bridge>\n    show-bridge      -t [-p] [-o <field>,...] [-s [-i <interval>]] <bridge>\n",
        ),
    ),
    (
        "create-overlay",
        Some(
            "    create-overlay   [-t] -e <encap> -s <search> -v <vnetid>\n\t\t     [ -p <prop>=<value>[,...]] <overlay>",
        ),
    ),
    (
        "delete-overlay",
        Some("    delete-overlay   [-t] <overlay>"),
    ),
    (
        "modify-overlay",
        Some("    modify-overlay   -d mac | -f | -s mac=ip:port <overlay>"),
    ),
    (
        "show-overlay",
        Some("    show-overlay     [-f | -t] [[-p] -o <field>,...] [<overlay>]\n"),
    ),
    ("up-overlay", None),
    (
        "show-usage",
        Some(
            "    show-usage       [-a] [-d | -F <format>] [-s <DD/MM/YYYY,HH:MM:SS>]\n\t\t     [-e <DD/MM/YYYY,HH:MM:SS>] -f <logfile> [<link>]",
        ),
    ),
];

/// The usage string of one subcommand (empty for unlisted ones).
pub fn of(cmd: &str) -> &'static str {
    COMMANDS
        .iter()
        .find(|(n, _)| *n == cmd)
        .and_then(|(_, u)| *u)
        .unwrap_or("")
}

/// `usage_text()`: what `dladm help` and every usage error print on stderr.
pub fn text() -> String {
    let mut s = String::from("usage:  dladm <subcommand> <args> ...\n");
    for (_, u) in COMMANDS {
        if let Some(u) = u {
            s.push_str(u);
            s.push('\n');
        }
    }
    s
}
