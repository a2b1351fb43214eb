#!/usr/bin/env python3
"""Builds the fuzzers' seed corpus from the bundled examples (examples/*/), so no corpus file is
committed: whole export files for the reader targets, and the cells of the columns each value
cleaner reads (found by header name) for the normaliser targets, plus a few hand-written values.

Usage: fuzz/seed_corpus.py OUT_DIR  (writes OUT_DIR/<target>/<sha1>; safe to run again)
Standard library only.
"""

import csv
import hashlib
import io
import pathlib
import re
import sys
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# Targets whose first input byte picks an option (region, order, style…): seeds get each prefix.
PICKS = {"phone": 7, "date": 3, "number": 3, "money": 36, "select": 4, "encoding": 55}

# Header words → normaliser targets fed by that column's cells.
COLUMNS = [
    (r"web|site|domain|url", ["domain", "text"]),
    (r"e-?mail|courriel", ["email"]),
    (r"phone|mobile|t.l.phone|tel|fax", ["phone"]),
    (r"date|created|modified|close|cr.ation|modification|activit", ["date"]),
    (r"amount|revenue|montant|chiffre|price|value|valeur", ["money", "number"]),
    (r"employees|effectif|probability|number|count", ["number"]),
    (r"name|nom|pr.nom|owner|contact", ["name"]),
    (r"country|pays|street|rue|adresse|address|city|ville", ["address"]),
    (r"stage|status|industry|secteur|type|.tape|source|pipeline|statut", ["select"]),
    (r"active|actif|deleted|converted|done|client", ["text"]),
]

EXTRA = {
    "domain": ["https://www.Example.co.uk/path?q=1", "xn--bcher-kva.de", "http://münchen.de", "acme.con", "localhost"],
    "email": ["Ada.Lovelace@Example.COM", "a@b.c; d@e.fr, f@g.de", "mailto:x@y.io", "\"quoted\"@x.org"],
    "phone": ["+33 1 23 45 67 89", "(415) 555-2671 ext. 12", "0049 30 1234567", "+1-800-FLOWERS", "06.12.34.56.78"],
    "date": ["03/04/2024", "2024-02-29T23:59:59.123+02:00", "31.12.99", "Jan 5, 2024 4:30 PM", "45943", "1900-02-29"],
    "number": ["1,234.56", "1 234,56", "1.234.567,89", "(1,000)", "12%", "1e308", "-0,5"],
    "money": ["$1,234.56", "1 234,56 €", "EUR 12.5", "US$ 3", "¥1000", "(£12.00)", "kr 50", "12,5 CHF"],
    "name": ["Lovelace, Ada", "Dr. Ada King Lovelace PhD", "Jean de la Fontaine", "Société Générale S.A.", "ACME, Inc."],
    "address": ["France", "U.S.A.", "1200 Harbor Blvd\nSuite 400", "Royaume-Uni", "12 rue de la Paix\r\nBâtiment B"],
    "select": ["Closed Won", "Qualified To Buy", "A;B;;C", "Négociation / en cours", "1st choice"],
    "text": ["=HYPERLINK(\"http://x\")", "@SUM(A1)", "oui", "x", "do not use", "https://linkedin.com/in/ada"],
}

CSV_EXTRA = [
    b"",
    b"a,b\n",
    b"a,b\n1,\"unterminated\n2,3\n",
    b"a;b;c\r\n1;2;3\r\n\r\n4;5\r\n",
    b"\xef\xbb\xbfName,City\nAndr\xc3\xa9,S\xc3\xa8te\n",
    b"Nom;Ville\nAndr\xe9;S\xe8te\n",
    "Name\tCity\r\nAndré\tSète\r\n".encode("utf-16"),
    b"a,b\n1,\x00\n2,3\n",
    b"a,a,,b\n1,2,3,4\n",
]


def xlsx(cells: str, merges: str = "", dimension: str = "A1") -> bytes:
    """A minimal workbook (one sheet, shared strings, a date style) around `cells`' <row>s."""
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Contacts" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
        "xl/sharedStrings.xml": '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3"><si><t>Name</t></si><si><t>Email</t></si><si><t>Ada Lovelace</t></si></sst>',
        "xl/styles.xml": '<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="0"/><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="{dimension}"/><sheetData>{cells}</sheetData>{merges}</worksheet>',
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


XLSX_EXTRA = [
    # Header, a row with a shared string, an inline string, a date, a formula with its cached
    # value, an error, a boolean; merged cells.
    (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>Since</t></is></c><c r="D1"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="str"><f>LOWER("ADA@X.IO")</f><v>ada@x.io</v></c><c r="C2" s="1"><v>45943</v></c><c r="D2" t="e"><v>#REF!</v></c><c r="E2" t="b"><v>1</v></c></row>',
        '<mergeCells count="1"><mergeCell ref="A2:A3"/></mergeCells>',
        "A1:E3",
    ),
    # A used range as large as Excel allows, with two cells in it.
    ('<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', "", "A1:XFD1048576"),
]


def put(out: pathlib.Path, target: str, data: bytes) -> None:
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    (d / hashlib.sha1(data).hexdigest()).write_bytes(data)


def put_value(out: pathlib.Path, target: str, value: str) -> None:
    data = value.encode("utf-8", "surrogateescape")
    if target in PICKS:
        for p in range(min(PICKS[target], 8)):
            put(out, target, bytes([p]) + data)
    else:
        put(out, target, data)


def decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def main() -> None:
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "target/fuzz-corpus")
    for f in sorted(EXAMPLES.glob("*/*")):
        # Export files only: the attachment folders (examples/salesforce/Attachments/) are not
        # read as exports.
        if not f.is_file():
            continue
        raw = f.read_bytes()
        if f.suffix == ".xlsx":
            put(out, "xlsx", raw)
            put(out, "csv", raw)
            continue
        if f.suffix != ".csv":
            continue
        put(out, "csv", raw)
        put(out, "encoding", b"\x00" + raw)
        put(out, "encoding", b"\x02" + raw)
        # The first lines alone: small seeds mutate faster.
        head = b"\n".join(raw.split(b"\n")[:4]) + b"\n"
        put(out, "csv", head)
        text = decode(raw)
        first = text.split("\n", 1)[0]
        delim = max(",;\t|", key=first.count)
        rows = list(csv.reader(io.StringIO(text), delimiter=delim))
        if not rows:
            continue
        header = rows[0]
        for i, h in enumerate(header):
            targets = [t for pat, ts in COLUMNS if re.search(pat, h, re.I) for t in ts]
            for row in rows[1:]:
                if i < len(row) and row[i].strip():
                    for t in targets or ["text"]:
                        put_value(out, t, row[i])
    for cells, merges, dim in XLSX_EXTRA:
        put(out, "xlsx", xlsx(cells, merges, dim))
    for data in CSV_EXTRA:
        put(out, "csv", data)
        put(out, "encoding", b"\x00" + data)
    for target, values in EXTRA.items():
        for v in values:
            put_value(out, target, v)
    counts = {d.name: len(list(d.iterdir())) for d in sorted(out.iterdir()) if d.is_dir()}
    print("seed corpus in", out, counts)


if __name__ == "__main__":
    main()
