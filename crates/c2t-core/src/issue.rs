//! Row-level problems found while reading and cleaning. An [`Issue`] is data, not an error: it is
//! recorded, counted in the audit and never stops a run.

use serde::Serialize;

/// Stable codes for the problems the cleaners and the linker report. The report groups by them,
/// so their names are part of the tool's interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IssueCode {
    EmailInvalid,
    DomainInvalid,
    UrlInvalid,
    PhoneInvalid,
    PhoneNoRegion,
    DateInvalid,
    DateAmbiguous,
    NumberInvalid,
    MoneyInvalid,
    CurrencyUnknown,
    BooleanInvalid,
    SelectUnmapped,
    CountryUnknown,
    ReferenceDangling,
    ReferenceAmbiguous,
    OwnerUnknown,
    FreeMailDomain,
    TextTruncated,
    EncodingReplaced,
    /// A value kept after a repair that changes nothing it says (`annie @contoso.com`, a
    /// misspelled country): reported, not counted as invalid.
    ValueRepaired,
}

impl IssueCode {
    /// The code as written in reports (`EMAIL_INVALID`).
    pub fn as_str(self) -> &'static str {
        match self {
            IssueCode::EmailInvalid => "EMAIL_INVALID",
            IssueCode::DomainInvalid => "DOMAIN_INVALID",
            IssueCode::UrlInvalid => "URL_INVALID",
            IssueCode::PhoneInvalid => "PHONE_INVALID",
            IssueCode::PhoneNoRegion => "PHONE_NO_REGION",
            IssueCode::DateInvalid => "DATE_INVALID",
            IssueCode::DateAmbiguous => "DATE_AMBIGUOUS",
            IssueCode::NumberInvalid => "NUMBER_INVALID",
            IssueCode::MoneyInvalid => "MONEY_INVALID",
            IssueCode::CurrencyUnknown => "CURRENCY_UNKNOWN",
            IssueCode::BooleanInvalid => "BOOLEAN_INVALID",
            IssueCode::SelectUnmapped => "SELECT_UNMAPPED",
            IssueCode::CountryUnknown => "COUNTRY_UNKNOWN",
            IssueCode::ReferenceDangling => "REFERENCE_DANGLING",
            IssueCode::ReferenceAmbiguous => "REFERENCE_AMBIGUOUS",
            IssueCode::OwnerUnknown => "OWNER_UNKNOWN",
            IssueCode::FreeMailDomain => "FREE_MAIL_DOMAIN",
            IssueCode::TextTruncated => "TEXT_TRUNCATED",
            IssueCode::EncodingReplaced => "ENCODING_REPLACED",
            IssueCode::ValueRepaired => "VALUE_REPAIRED",
        }
    }
}

impl std::fmt::Display for IssueCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem with one value: its code and a sentence a person understands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Issue {
    pub code: IssueCode,
    pub message: String,
}

impl Issue {
    pub fn new(code: IssueCode, message: impl Into<String>) -> Issue {
        Issue {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Issue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}
