"""The clean-up most teams write today before a CRM import: pandas + phonenumbers, row by row.

Usage: naive_clean.py EXPORT_DIR OUT_DIR

Reads Account.csv and Contact.csv of a Salesforce Data Export, normalises emails (lower case,
stripped), websites (https://domain), phones (phonenumbers.parse + format per row, with the row's
country as the region), dates (ISO), drops deleted rows and duplicates on email / domain, and
writes companies.csv and people.csv. Prints one JSON line: rows read and written.

Deliberately the usual approach, not an optimised one: it is the baseline crm2twenty is compared
with (c2t-bench --python). It does none of crm2twenty's other work (no fuzzy names, no linking,
no staleness, no test-data detection, no ledger).
"""

import json
import os
import sys

import pandas as pd
import phonenumbers

COUNTRIES = {
    "united states": "US", "usa": "US", "us": "US", "u.s.": "US", "america": "US",
    "united kingdom": "GB", "uk": "GB", "gb": "GB", "england": "GB", "great britain": "GB",
    "germany": "DE", "deutschland": "DE", "de": "DE",
    "france": "FR", "fr": "FR", "fra": "FR",
    "spain": "ES", "españa": "ES", "espana": "ES", "es": "ES",
    "australia": "AU", "au": "AU", "aus": "AU",
}


def region_of(country):
    if not isinstance(country, str):
        return None
    return COUNTRIES.get(country.strip().lower())


def clean_phone(value, country):
    if not isinstance(value, str) or not value.strip():
        return ""
    try:
        n = phonenumbers.parse(value, region_of(country) or "US")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_valid_number(n):
        return ""
    return phonenumbers.format_number(n, phonenumbers.PhoneNumberFormat.E164)


def clean_domain(value):
    if not isinstance(value, str) or not value.strip():
        return ""
    d = value.strip().lower()
    for prefix in ("https://", "http://"):
        if d.startswith(prefix):
            d = d[len(prefix):]
    if d.startswith("www."):
        d = d[4:]
    return d.split("/")[0]


def iso_datetime(series):
    return pd.to_datetime(series, errors="coerce", utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ").fillna("")


def iso_date(series):
    return pd.to_datetime(series, errors="coerce").dt.strftime("%Y-%m-%d").fillna("")


def main():
    src, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)

    acc = pd.read_csv(os.path.join(src, "Account.csv"), dtype=str, keep_default_na=False)
    con = pd.read_csv(os.path.join(src, "Contact.csv"), dtype=str, keep_default_na=False)
    rows_in = len(acc) + len(con)

    acc = acc[acc["IsDeleted"].str.lower() != "true"].copy()
    acc["Name"] = acc["Name"].str.strip()
    acc["domain"] = acc["Website"].apply(clean_domain)
    acc["Website"] = acc["domain"].apply(lambda d: "https://" + d if d else "")
    acc["Phone"] = acc.apply(lambda r: clean_phone(r["Phone"], r["BillingCountry"]), axis=1)
    acc["CreatedDate"] = iso_datetime(acc["CreatedDate"])
    acc["LastModifiedDate"] = iso_datetime(acc["LastModifiedDate"])
    acc["LastActivityDate"] = iso_date(acc["LastActivityDate"])
    acc = acc.sort_values("LastModifiedDate", ascending=False)
    with_domain = acc[acc["domain"] != ""].drop_duplicates(subset=["domain"])
    acc = pd.concat([with_domain, acc[acc["domain"] == ""]])

    con = con[con["IsDeleted"].str.lower() != "true"].copy()
    con["Email"] = con["Email"].str.strip().str.lower()
    con["Phone"] = con.apply(lambda r: clean_phone(r["Phone"], r["MailingCountry"]), axis=1)
    con["MobilePhone"] = con.apply(lambda r: clean_phone(r["MobilePhone"], r["MailingCountry"]), axis=1)
    con["CreatedDate"] = iso_datetime(con["CreatedDate"])
    con["LastModifiedDate"] = iso_datetime(con["LastModifiedDate"])
    con["LastActivityDate"] = iso_date(con["LastActivityDate"])
    con = con.sort_values("LastModifiedDate", ascending=False)
    with_email = con[con["Email"] != ""].drop_duplicates(subset=["Email"])
    con = pd.concat([with_email, con[con["Email"] == ""]])

    acc.drop(columns=["domain"]).to_csv(os.path.join(out, "companies.csv"), index=False)
    con.to_csv(os.path.join(out, "people.csv"), index=False)
    print(json.dumps({"rows_in": rows_in, "rows_out": len(acc) + len(con)}))


if __name__ == "__main__":
    main()
