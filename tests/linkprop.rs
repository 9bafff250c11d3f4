//! Every link property of the table (`prop_table[]`, linkprop.c) on the
//! sim's links: the full listings per link class, and set/reset/show of
//! the properties the sim stores without modelling otherwise.
//!
//! The listings are the reference's derived ones (`linkprop.md` §3.1,
//! §3.3, §3.4), computed from dladm.c `show_linkprop` /
//! `linkprop_is_supported` / `print_linkprop` (the property set and order,
//! `--` for NOTSUP, POSSIBLE's trailing space) and linkprop.c's
//! `dladm_get_linkprop` (PERM, DEFAULT, POSSIBLE per property), laid out
//! by libofmt with `OFMT_WRAP` and the header repeated every 23 rows (no
//! terminal). Sim only: the NIC listing needs an e1000g-like NIC.

mod common;

use common::{Env, golden};

fn sim() -> Option<Env> {
    Env::sim_only()
}

fn w(m: &str) -> String {
    format!("dladm: warning: {m}\n")
}

/// A NIC like the reference's `e1000g0` (1 Gb/s, up, MTU up to 16362), an
/// etherstub, and a VNIC over each.
fn links(env: &Env) {
    env.xbow(&["sim", "add-phys", "e1000g0", "--mtu-max", "16362"])
        .ok();
    env.dladm(&["create-etherstub", "stub0"]).ok();
    env.dladm(&["create-vnic", "-l", "stub0", "vnic0"]).ok();
    env.dladm(&["create-vnic", "-l", "e1000g0", "vnic1"]).ok();
}

fn show(env: &Env, args: &[&str]) -> String {
    let mut a = vec!["show-linkprop"];
    a.extend_from_slice(args);
    env.dladm(&a).ok().stdout.clone()
}

/// The value of one property as `show-linkprop -c -o value` prints it.
fn value(env: &Env, link: &str, prop: &str) -> String {
    show(env, &["-c", "-o", "value", "-p", prop, link])
}

/// `show-linkprop LINK` on the sim's links against a derived listing.
fn listing(link: &str, expected: &str) {
    let Some(env) = sim() else { return };
    links(&env);
    assert_eq!(show(&env, &[link]), golden(expected));
}

#[test]
fn listing_vnic_over_etherstub_derived() {
    listing("vnic0", "show-linkprop-vnic-over-etherstub-derived.out");
}

#[test]
fn listing_vnic_over_nic_derived() {
    listing("vnic1", "show-linkprop-vnic-over-nic-derived.out");
}

#[test]
fn listing_etherstub_derived() {
    listing("stub0", "show-linkprop-etherstub-derived.out");
}

/// 22 rows (`linkprop.md` §3.5): a VLAN has `forward` but no
/// `secondary-macs`, `tagmode` or bridge properties, and its
/// `rxrings`/`txrings` are read-only (it shares its lower link's primary
/// client's rings).
#[test]
fn listing_vlan_derived() {
    let Some(env) = sim() else { return };
    links(&env);
    env.dladm(&["create-vlan", "-l", "e1000g0", "-v", "5"]).ok();
    assert_eq!(
        show(&env, &["e1000g5000"]),
        golden("show-linkprop-vlan-derived.out")
    );
}

/// 68 rows: `media` is left out of a non-parsable walk because neither its
/// DEFAULT (no `vd_name`) nor its value (e1000g has no `MAC_PROP_MEDIA`)
/// can be read (`linkprop_is_supported`). The `adv_fec_cap` DEFAULT is
/// `--` here where libdladm would print a stale buffer (`linkprop.md`
/// §1.4).
#[test]
fn listing_nic_derived() {
    listing("e1000g0", "show-linkprop-e1000g-derived.out");
}

#[test]
fn parsable_and_chosen_properties() {
    let Some(env) = sim() else { return };
    links(&env);
    // -c lists every applicable property, `media` included (69 on the NIC).
    let all = show(&env, &["-c", "-o", "property", "e1000g0"]);
    assert_eq!(all.lines().count(), 69);
    assert_eq!(all.lines().last(), Some("media"));
    assert_eq!(
        show(&env, &["-c", "-o", "property", "vnic0"])
            .lines()
            .count(),
        24
    );
    assert_eq!(
        show(&env, &["-c", "-o", "property", "stub0"])
            .lines()
            .count(),
        31
    );
    // NOTSUP: PERM/VALUE `--`, DEFAULT/POSSIBLE empty; no trailing space.
    assert_eq!(
        show(
            &env,
            &[
                "-c",
                "-o",
                "property,perm,value,default,possible",
                "-p",
                "media,en_fec_cap,state,maxbw",
                "e1000g0"
            ]
        ),
        "media:r-:--::\nen_fec_cap:--:--::none,auto,rs,base-r\nstate:r-:up:up:up,down\nmaxbw:rw::--:\n"
    );
    // The example, as illumos prints it; names as typed.
    assert_eq!(
        show(&env, &["-p", "state,TagMode", "vnic0"]),
        "LINK         PROPERTY        PERM VALUE          DEFAULT        POSSIBLE\n\
         vnic0        state           r-   up             up             up,down \n\
         vnic0        TagMode         rw   vlanonly       vlanonly       normal,vlanonly \n"
    );
    // A class the property is not for: `?` and the library's status.
    let r = env.dladm(&["show-linkprop", "-p", "promisc-filtered,foo", "stub0"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        w("cannot get link property 'promisc-filtered' for stub0: invalid argument")
    );
    assert_eq!(
        r.stdout,
        "LINK         PROPERTY        PERM VALUE          DEFAULT        POSSIBLE\n\
         stub0        promisc-filtered ?   ?              ?              ?\n\
         stub0        foo             ?    ?              ?              ?\n"
    );
    // -P: every error is `--`; `zone` is TEMPONLY: `?`, exit status 0.
    let r = env.dladm(&["show-linkprop", "-P", "-p", "zone,foo", "vnic0"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(
        r.stdout,
        "LINK         PROPERTY        PERM VALUE          DEFAULT        POSSIBLE\n\
         vnic0        zone            rw   ?              --             -- \n\
         vnic0        foo             --   --             --             -- \n"
    );
}

#[test]
fn set_and_show_stored_properties() {
    let Some(env) = sim() else { return };
    links(&env);
    let set = |p: &str, l: &str| env.dladm(&["set-linkprop", "-p", p, l]);
    set("PROTECTION=IP-nospoof,mac-nospoof", "vnic0").ok();
    set("allowed-ips=10.0.0.0/24,fe80::/10", "vnic0").ok();
    set("tagmode=Normal,promisc-filtered=off", "vnic0").ok();
    set("secondary-macs=02:08:20:00:00:0a", "vnic0").ok();
    set("cpus=3,0-2,5", "vnic0").ok();
    set("allowed-dhcp-cids=hello,0xAB", "vnic0").ok();
    assert_eq!(
        value(&env, "vnic0", "protection"),
        "mac-nospoof,ip-nospoof\n"
    );
    assert_eq!(
        value(&env, "vnic0", "allowed-ips"),
        "10.0.0.0/24,fe80::/10\n"
    );
    assert_eq!(value(&env, "vnic0", "tagmode"), "normal\n");
    assert_eq!(value(&env, "vnic0", "promisc-filtered"), "off\n");
    assert_eq!(value(&env, "vnic0", "secondary-macs"), "2:8:20:0:0:a\n");
    assert_eq!(value(&env, "vnic0", "cpus"), "0-3,5\n");
    assert_eq!(value(&env, "vnic0", "allowed-dhcp-cids"), "hello,0xab\n");
    // -P: the strings as typed, under the table's name.
    assert_eq!(
        show(
            &env,
            &[
                "-P",
                "-c",
                "-o",
                "value",
                "-p",
                "protection,tagmode,cpus",
                "vnic0"
            ]
        ),
        "IP-nospoof,mac-nospoof\nNormal\n3,0-2,5\n"
    );
    // The wrapped VALUE column (ofmt OFMT_WRAP), linkprop.md §5.2.
    assert_eq!(
        show(&env, &["-p", "protection,allowed-ips", "vnic0"]),
        "LINK         PROPERTY        PERM VALUE          DEFAULT        POSSIBLE\n\
         vnic0        protection      rw   mac-nospoof,   --             mac-nospoof,\n\
         \x20                                 ip-nospoof                    restricted,\n\
         \x20                                                               ip-nospoof,\n\
         \x20                                                               dhcp-nospoof \n\
         vnic0        allowed-ips     rw   10.0.0.0/24,   --             -- \n\
         \x20                                 fe80::/10                     \n"
    );
    // A VNIC's MTU: within its lower link's range; DEFAULT stays the
    // lower link's (vnic_m_propinfo).
    set("mtu=1500", "vnic0").ok();
    assert_eq!(
        show(
            &env,
            &["-c", "-o", "value,default,possible", "-p", "mtu", "vnic0"]
        ),
        "1500:9000:576-9000\n"
    );
    env.dladm(&["reset-linkprop", "-p", "mtu", "vnic0"]).ok();
    assert_eq!(value(&env, "vnic0", "mtu"), "9000\n");
    // -t changes only the running value.
    env.dladm(&["set-linkprop", "-t", "-p", "tagmode=vlanonly", "vnic0"])
        .ok();
    assert_eq!(value(&env, "vnic0", "tagmode"), "vlanonly\n");
    assert_eq!(
        show(&env, &["-P", "-c", "-o", "value", "-p", "tagmode", "vnic0"]),
        "Normal\n"
    );
    // Bridging properties on the etherstub and the NIC.
    set(
        "default_tag=0x10,learn_limit=500,stp_cost=auto,stp_p2p=TRUE",
        "stub0",
    )
    .ok();
    assert_eq!(
        show(
            &env,
            &[
                "-c",
                "-o",
                "value",
                "-p",
                "default_tag,learn_limit,stp_cost,stp_p2p",
                "stub0"
            ]
        ),
        "16\n500\nauto\ntrue\n"
    );
    set("en_100hdx_cap=0,flowctrl=rx", "e1000g0").ok();
    assert_eq!(
        show(
            &env,
            &[
                "-c",
                "-o",
                "value",
                "-p",
                "en_100hdx_cap,adv_100hdx_cap,flowctrl",
                "e1000g0"
            ]
        ),
        "0\n0\nrx\n"
    );
    // Everything back to its default; only `zone` complains.
    env.dladm(&["reset-linkprop", "vnic0"]).fails_with(&w(
        "cannot reset link property 'zone' on 'vnic0': change cannot be persistent",
    ));
    assert_eq!(value(&env, "vnic0", "protection"), "\n");
    assert_eq!(value(&env, "vnic0", "cpus"), "\n");
    assert_eq!(value(&env, "vnic0", "tagmode"), "vlanonly\n");
    assert_eq!(
        show(&env, &["-P", "-c", "-o", "value", "-p", "tagmode", "vnic0"]),
        "\n"
    );
    // With -t the bridging properties cannot be reset (PD_AFTER_PERM);
    // the MTU not while VNICs are over the etherstub.
    let r = env.dladm(&["reset-linkprop", "-t", "stub0"]);
    assert_eq!(r.code, 1);
    let lines: Vec<&str> = r.stderr.lines().collect();
    let mut want =
        vec!["dladm: warning: cannot reset link property 'mtu' on 'stub0': link busy".to_string()];
    want.extend(
        [
            "forward", "stp", "stp_priority", "stp_cost", "stp_edge", "stp_p2p", "stp_mcheck",
        ]
        .map(|p| format!(
            "dladm: warning: cannot reset link property '{p}' on 'stub0': change must be persistent"
        )),
    );
    assert_eq!(lines, want);
    // The NIC: FEC cannot be reset on a driver without FEC (linkprop.md §4.8).
    env.dladm(&["reset-linkprop", "e1000g0"]).fails_with(
        &[
            w("cannot reset link property 'zone' on 'e1000g0': change cannot be persistent"),
            w("cannot reset link property 'en_fec_cap' on 'e1000g0': invalid argument"),
        ]
        .concat(),
    );
    assert_eq!(value(&env, "e1000g0", "en_100hdx_cap"), "1\n");
}

#[test]
fn set_errors_in_illumos_order() {
    let Some(env) = sim() else { return };
    links(&env);
    let set = |p: &str, l: &str| env.dladm(&["set-linkprop", "-p", p, l]);
    set("state=down", "vnic0").fails_with(&w(
        "cannot set link property 'state' on 'vnic0': read-only property",
    ));
    set("zone=z1", "vnic0").fails_with(&w(
        "cannot set link property 'zone' on 'vnic0': change cannot be persistent",
    ));
    env.dladm(&["set-linkprop", "-t", "-p", "zone=z1", "vnic0"])
        .fails_with(&w(
            "cannot set link property 'zone' on 'vnic0': invalid value",
        ));
    env.dladm(&["set-linkprop", "-t", "-p", "stp=0", "stub0"])
        .fails_with(&w(
            "cannot set link property 'stp' on 'stub0': change must be persistent",
        ));
    set("protection=mac-nospoof,foo", "vnic0").fails_with(&w(
        "link property 'protection' must be one of: mac-nospoof,restricted,ip-nospoof,dhcp-nospoof",
    ));
    set("allowed-ips=10.0.0.1/24", "vnic0").fails_with(&w(
        "cannot set link property 'allowed-ips' on 'vnic0': invalid IP address",
    ));
    set("promisc-filtered=off", "e1000g0").fails_with(&w(
        "cannot set link property 'promisc-filtered' on 'e1000g0': invalid argument",
    ));
    set("rxrings=abc", "vnic0").fails_with(&w("link property 'rxrings' must be one of: "));
    set("secondary-macs=zz", "vnic0").fails_with(&w(
        "cannot set link property 'secondary-macs' on 'vnic0': invalid MAC address",
    ));
    set("cpus=8", "vnic0").fails_with(&w(
        "cannot set link property 'cpus' on 'vnic0': non-existent processor ID",
    ));
    set("speed=100", "e1000g0").fails_with(&w(
        "cannot set link property 'speed' on 'e1000g0': operation not supported",
    ));
    set("en_10gfdx_cap=1", "e1000g0").fails_with(&w(
        "cannot set link property 'en_10gfdx_cap' on 'e1000g0': operation not supported",
    ));
    set("adv_100fdx_cap=1", "e1000g0").fails_with(&w(
        "cannot set link property 'adv_100fdx_cap' on 'e1000g0': read-only property",
    ));
    set("stp_mcheck=x", "stub0").fails_with(&w("link property 'stp_mcheck' must be one of: 1,0"));
    set("stp_priority=x", "stub0").fails_with(&w(
        "cannot set link property 'stp_priority' on 'stub0': invalid value",
    ));
    // Unknown names are warned about in turn; the last status decides.
    let r = set("foo=1,tagmode=normal", "vnic0");
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (0, w("invalid link property 'foo'").as_str())
    );
    env.dladm(&["reset-linkprop", "-p", "Foo", "vnic0"])
        .fails_with(&w("invalid link property 'Foo'"));
    // create-vnic -p: resource properties are applied, the others stored.
    env.dladm(&[
        "create-vnic",
        "-l",
        "stub0",
        "-p",
        "protection=mac-nospoof,tagmode=normal",
        "vnic2",
    ])
    .ok();
    assert_eq!(value(&env, "vnic2", "protection"), "mac-nospoof\n");
    assert_eq!(
        show(
            &env,
            &[
                "-P",
                "-c",
                "-o",
                "value",
                "-p",
                "protection,tagmode",
                "vnic2"
            ]
        ),
        "mac-nospoof\nnormal\n"
    );
    env.dladm(&["create-vnic", "-l", "stub0", "-p", "zone=z1", "vnic3"])
        .fails_with("dladm: vnic creation over stub0 failed: change cannot be persistent\n");
}
