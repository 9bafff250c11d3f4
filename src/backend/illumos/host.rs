//! The host capabilities on illumos: `ipadm`, `zonecfg` and `zoneadm` as
//! commands (their libraries are private and change between releases),
//! SMF through libscf.

use super::host_parse;
use crate::backend::files::{self, FileError};
use crate::backend::host::{
    AddrInfo, HostError, HostResult, IpAdm, RulesFile, RulesFiles, Services, ZoneInfo, Zones,
};
use crate::model::ipnet::Ipv4Cidr;
use crate::model::svc::SvcState;
use crate::model::zone::ZoneConfig;
use crate::sys::illumos_scf::Scf;
use std::process::Command;
use std::time::{Duration, Instant};

const IPADM: &str = "/usr/sbin/ipadm";
const ZONECFG: &str = "/usr/sbin/zonecfg";
const ZONEADM: &str = "/usr/sbin/zoneadm";
const SVCPROP: &str = "/usr/bin/svcprop";

/// Run a command (argv, no shell) in the C locale; its stdout, or an error
/// with the command line, exit status and stderr.
fn run(argv: &[&str]) -> HostResult<String> {
    let out = Command::new(argv[0])
        .args(&argv[1..])
        .env("LC_ALL", "C")
        .output()
        .map_err(|e| HostError(format!("{}: {e}", argv.join(" "))))?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        return Err(HostError(format!(
            "{}: {}: {}",
            argv.join(" "),
            out.status,
            stderr.trim_end()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// `ipadm`.
pub struct IllumosIp;

impl IpAdm for IllumosIp {
    fn interfaces(&mut self) -> HostResult<Vec<String>> {
        Ok(run(&[IPADM, "show-if", "-p", "-o", "ifname"])?
            .lines()
            .map(String::from)
            .collect())
    }

    fn addrs(&mut self) -> HostResult<Vec<AddrInfo>> {
        let text = run(&[IPADM, "show-addr", "-p", "-o", "addrobj,type,addr"])?;
        Ok(host_parse::ipadm_addrs(&text))
    }

    fn create_if(&mut self, ifname: &str) -> HostResult<()> {
        run(&[IPADM, "create-if", ifname]).map(|_| ())
    }

    fn delete_if(&mut self, ifname: &str) -> HostResult<()> {
        run(&[IPADM, "delete-if", ifname]).map(|_| ())
    }

    fn create_addr(&mut self, addrobj: &str, addr: Ipv4Cidr) -> HostResult<()> {
        let a = addr.to_string();
        run(&[IPADM, "create-addr", "-T", "static", "-a", &a, addrobj]).map(|_| ())
    }

    fn delete_addr(&mut self, addrobj: &str) -> HostResult<()> {
        run(&[IPADM, "delete-addr", addrobj]).map(|_| ())
    }
}

/// `zonecfg` and `zoneadm`.
pub struct IllumosZones;

impl Zones for IllumosZones {
    fn list(&mut self) -> HostResult<Vec<ZoneInfo>> {
        Ok(host_parse::zoneadm_list(&run(&[ZONEADM, "list", "-cp"])?))
    }

    fn config(&mut self, name: &str) -> HostResult<Option<ZoneConfig>> {
        if !self.list()?.iter().any(|z| z.name == name) {
            return Ok(None);
        }
        let text = run(&[ZONECFG, "-z", name, "export"])?;
        Ok(Some(host_parse::zonecfg_export(name, &text)))
    }

    fn configure(&mut self, cfg: &ZoneConfig) -> HostResult<()> {
        use std::io::Write;
        let path =
            std::env::temp_dir().join(format!("xbow-zonecfg-{}-{}", std::process::id(), cfg.name));
        let write = || -> Result<(), FileError> {
            let mut f = files::create_temp(&path)?;
            Ok(f.write_all(cfg.zonecfg_script().as_bytes())?)
        };
        write().map_err(|e| HostError(format!("zonecfg command file {}: {e}", path.display())))?;
        let p = path.display().to_string();
        let r = run(&[ZONECFG, "-z", &cfg.name, "-f", &p]).map(|_| ());
        let _ = std::fs::remove_file(&path);
        r
    }

    fn delete(&mut self, name: &str) -> HostResult<()> {
        run(&[ZONECFG, "-z", name, "delete", "-F"]).map(|_| ())
    }

    fn install(&mut self, name: &str) -> HostResult<()> {
        run(&[ZONEADM, "-z", name, "install"]).map(|_| ())
    }

    fn uninstall(&mut self, name: &str) -> HostResult<()> {
        run(&[ZONEADM, "-z", name, "uninstall", "-F"]).map(|_| ())
    }

    fn boot(&mut self, name: &str) -> HostResult<()> {
        run(&[ZONEADM, "-z", name, "boot"]).map(|_| ())
    }

    fn halt(&mut self, name: &str) -> HostResult<()> {
        run(&[ZONEADM, "-z", name, "halt"]).map(|_| ())
    }

    /// OmniOS: `lipkg` (the default since r151030); SmartOS:
    /// `joyent-minimal`; otherwise `ipkg`.
    fn default_brand(&self) -> String {
        ["lipkg", "joyent-minimal"]
            .into_iter()
            .find(|b| std::path::Path::new("/usr/lib/brand").join(b).exists())
            .unwrap_or("ipkg")
            .to_string()
    }
}

/// How long to wait for a service to reach the state asked for.
fn smf_deadline() -> Duration {
    let secs = std::env::var("XBOW_SMF_TIMEOUT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    Duration::from_secs(secs)
}

/// SMF through libscf.
pub struct IllumosServices {
    scf: Scf,
}

impl IllumosServices {
    pub fn open() -> HostResult<IllumosServices> {
        Ok(IllumosServices {
            scf: Scf::open().map_err(HostError)?,
        })
    }

    /// Poll until the instance is in `want`; maintenance is a failure.
    fn wait(&self, fmri: &str, want: SvcState) -> HostResult<()> {
        let deadline = Instant::now() + smf_deadline();
        loop {
            let st = self.scf.state(fmri).map_err(HostError)?;
            let state = SvcState::from_name(&st);
            if state == Some(want) {
                return Ok(());
            }
            if state == Some(SvcState::Maintenance) {
                return Err(HostError(format!(
                    "{fmri}: the service went into maintenance (see svcs -xv {fmri})"
                )));
            }
            if Instant::now() >= deadline {
                return Err(HostError(format!(
                    "{fmri}: still {st} after {}s, waiting for {}",
                    smf_deadline().as_secs(),
                    want.as_str()
                )));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Services for IllumosServices {
    fn state(&mut self, fmri: &str) -> HostResult<SvcState> {
        let st = self.scf.state(fmri).map_err(HostError)?;
        SvcState::from_name(&st).ok_or_else(|| HostError(format!("{fmri}: unknown state '{st}'")))
    }

    fn enable(&mut self, fmri: &str) -> HostResult<()> {
        self.scf.enable(fmri).map_err(HostError)?;
        self.wait(fmri, SvcState::Online)
    }

    fn disable(&mut self, fmri: &str) -> HostResult<()> {
        self.scf.disable(fmri).map_err(HostError)?;
        self.wait(fmri, SvcState::Disabled)
    }

    fn refresh(&mut self, fmri: &str) -> HostResult<()> {
        self.scf.refresh(fmri).map_err(HostError)?;
        self.wait(fmri, SvcState::Online)
    }
}

/// The IP Filter rules files: the ipfilter service's wherever its
/// properties say, a zone's below its zonepath.
pub struct IllumosRulesFiles;

impl IllumosRulesFiles {
    fn path(f: &RulesFile) -> String {
        let (prop, default) = match f {
            RulesFile::Ipnat => ("config/ipnat_config_file", "/etc/ipf/ipnat.conf"),
            RulesFile::Ipf => (
                "firewall_config_default/custom_policy_file",
                "/etc/ipf/ipf.conf",
            ),
            RulesFile::ZoneIpf(zp) => return RulesFile::zone_path(zp),
        };
        run(&[SVCPROP, "-p", prop, crate::model::svc::IPFILTER])
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| s.starts_with('/'))
            .unwrap_or_else(|| default.to_string())
    }
}

impl RulesFiles for IllumosRulesFiles {
    fn read(&mut self, f: &RulesFile) -> HostResult<String> {
        let p = Self::path(f);
        match files::read_input(std::path::Path::new(&p), files::NAT_CONF_MAX) {
            Ok(t) => String::from_utf8(t)
                .map_err(|_| HostError(format!("{p}: stream did not contain valid UTF-8"))),
            Err(FileError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
            Err(e) => Err(HostError(format!("{p}: {e}"))),
        }
    }

    fn write(&mut self, f: &RulesFile, text: &str) -> HostResult<()> {
        use std::io::Write;
        use std::os::unix::fs::PermissionsExt;
        let p = Self::path(f);
        if let RulesFile::ZoneIpf(zp) = f {
            // `ZONEPATH/etc`, beside the zone's root: root's, 0755.
            let dir = format!("{}/etc", zp.trim_end_matches('/'));
            if let Err(e) = std::fs::create_dir_all(&dir) {
                return Err(HostError(format!("{dir}: {e}")));
            }
        }
        let tmp = format!("{p}.xbow.{}", std::process::id());
        // Ours, if a killed run of this pid left it: unlink never follows
        // a link, and the new file is created only where nothing is.
        let _ = std::fs::remove_file(&tmp);
        let mut created = false;
        let mut write = || -> Result<(), FileError> {
            let mut f = files::create_temp(std::path::Path::new(&tmp))?;
            created = true;
            f.write_all(text.as_bytes())?;
            f.sync_all()?;
            // The old file's mode, or the system's 0644 for a new one.
            let mode = std::fs::metadata(&p).map_or_else(
                |_| std::fs::Permissions::from_mode(0o644),
                |m| m.permissions(),
            );
            f.set_permissions(mode)?;
            Ok(std::fs::rename(&tmp, &p)?)
        };
        write().map_err(|e| {
            if created {
                let _ = std::fs::remove_file(&tmp);
            }
            HostError(format!("{p}: {e}"))
        })
    }
}
