//! libdladm statuses as [`DlError`]s.
//!
//! Statuses 0 to 84 (`DLADM_STATUS_INVALID_MTU`) have the same numbers in
//! every libdladm read; the members after it differ between forks
//! (illumos-gate has `PERSIST_ON_TEMP, BAD_ENCAP, ADDRNOTAVAIL`, 85 to 87;
//! a fork without `PERSIST_ON_TEMP` numbers `BAD_ENCAP` 85), so those are
//! recognised by the text the library itself gives them. `BAD_ENCAP` is
//! the status `dladm_status2str` renders as "invalid encapsulation
//! protocol" (libdladm.c).

use crate::backend::DlError;
use crate::model::status::DlStatus;
use crate::sys::illumos_types::DLADM_STATUS_INVALID_MTU;

/// The last status number shared by every libdladm.
const STABLE_MAX: u32 = DLADM_STATUS_INVALID_MTU;

/// The error for a raw status and the library's text for it.
pub fn dl_error(raw: u32, text: &str) -> DlError {
    if let Some(s) = DlStatus::from_raw(raw).filter(|_| raw <= STABLE_MAX) {
        return DlError::Status(s);
    }
    (0..)
        .map_while(DlStatus::from_raw)
        .filter(|s| *s as u32 > STABLE_MAX)
        .find(|s| s.as_str() == text)
        .map_or_else(|| DlError::Backend(text.to_string()), DlError::Status)
}

/// With the warnings of an errlist.
pub fn with_errlist(e: DlError, errlist: Vec<String>) -> DlError {
    match e {
        _ if errlist.is_empty() => e,
        DlError::Status(s) | DlError::WithErrlist(s, _) => DlError::WithErrlist(s, errlist),
        DlError::Backend(t) => DlError::Backend(format!("{t} ({})", errlist.join("; "))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_numbers_map_directly() {
        assert_eq!(
            dl_error(13, "permission denied"),
            DlError::Status(DlStatus::Denied)
        );
        // A translated text does not matter for the stable range.
        assert_eq!(
            dl_error(5, "objet introuvable"),
            DlError::Status(DlStatus::Notfound)
        );
        assert_eq!(dl_error(84, ""), DlError::Status(DlStatus::InvalidMtu));
    }

    #[test]
    fn later_members_by_text() {
        // illumos-gate numbering.
        assert_eq!(
            dl_error(
                85,
                "can't create persistent object on top of temporary object"
            ),
            DlError::Status(DlStatus::PersistOnTemp)
        );
        assert_eq!(
            dl_error(87, "can't assign requested address"),
            DlError::Status(DlStatus::Addrnotavail)
        );
        // A fork without PERSIST_ON_TEMP: BAD_ENCAP is 85.
        assert_eq!(
            dl_error(85, "invalid encapsulation protocol"),
            DlError::Status(DlStatus::BadEncap)
        );
        // Unknown to xbow: the library's text, as dladm would print it.
        assert_eq!(
            dl_error(99, "<unknown error>"),
            DlError::Backend("<unknown error>".into())
        );
    }

    #[test]
    fn errlists() {
        let e = with_errlist(
            DlError::Status(DlStatus::Badprop),
            vec!["failed to set property x: y".into()],
        );
        assert_eq!(
            e,
            DlError::WithErrlist(
                DlStatus::Badprop,
                vec!["failed to set property x: y".into()]
            )
        );
        assert_eq!(
            with_errlist(DlError::Status(DlStatus::Exist), vec![]),
            DlError::Status(DlStatus::Exist)
        );
        assert_eq!(
            with_errlist(DlError::Backend("b".into()), vec!["w".into()]),
            DlError::Backend("b (w)".into())
        );
    }
}
