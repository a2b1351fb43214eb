#!/usr/bin/env python3
"""Regenerates the French Excel-style fixtures of this folder (run it from anywhere):

  societes.csv, contacts.csv  Windows-1252 (é è ç à, € = byte 0x80, NBSP = 0xA0), `;` delimiter,
                              CRLF, dd/mm/yyyy dates, French amounts and phones, oui/non booleans —
                              what "Enregistrer sous → CSV (séparateur : point-virgule)" writes.
  opportunites.xlsx           a workbook with real date cells, numbers stored as numbers (an id and
                              a phone that lost its leading 0) and a formula cell WITH a cached value.
  EXPECTED.md                 every planted problem with its file and line.

openpyxl writes formulas without a cached value (it does not compute them); this script therefore
patches the saved sheet XML to add the value Excel would have cached (`<f>…</f><v>…</v>`), so a
reader that uses cached values sees the number. Requires: pip install openpyxl.
All companies, people, emails and numbers are invented (phones mostly in the ranges ARCEP reserves
for fiction: 01 99 00 xx xx, 06 39 98 xx xx).
"""
import csv, datetime, io, os, re, shutil, tempfile, zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
NB = "\u00a0"  # Excel's thousands separator in fr-FR
issues = []    # (file, key, section, text)
lines = {}     # (file, key) -> physical line (or Excel row)


def write_csv(name, header, rows):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(header)
    line = 2
    for r in rows:
        assert len(r) == len(header), r
        start = buf.tell()
        w.writerow(r)
        lines[(name, r[0] if name != "contacts.csv" else r[5] or r[1] + " " + r[2])] = line
        line += buf.getvalue()[start:].count("\n")
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(buf.getvalue().encode("cp1252"))


def issue(name, key, section, text):
    issues.append((name, key, section, text))


# ── societes.csv ──────────────────────────────────────────────────────────────────────────────
S_H = ["Raison sociale", "Site web", "Téléphone", "Adresse", "Code postal", "Ville", "Pays",
       "Secteur d'activité", "Effectif", "Chiffre d'affaires", "Client actif", "Date de création",
       "Dernière modification", "Dernière activité", "Commentaire", "Code NAF"]
societes = [
    ["Acme Corp", "acme.com", "01 23 45 67 89", "12 rue de la Paix\nBâtiment B", "75002", "Paris", "France", "Industrie", "320", f"12{NB}500,50", "oui", "03/04/2019", "14/09/2026", "10/09/2026", "Client historique", ""],
    ["ACME Corp.", "www.acme.com", "01.23.45.67.89", "12, rue de la Paix", "75002", "PARIS", "FR", "Industrie", "", f"1{NB}234,00 €", "Oui", "11/02/2021", "07/02/2023", "30/01/2023", "", ""],
    ["Acme Corp ", "http://acme.com/about", "", "", "", "Paris", "France", "", "", "", "non", "05/06/2023", "12/01/2024", "", "doublon ?", ""],
    ["Boulangerie Dupré", "boulangerie-dupre.fr", "04 78 00 11 22", "3 place Bellecour", "69002", "Lyon", "France", "Agroalimentaire", "14", f"850{NB}000 €", "oui", "01/03/2020", "18/10/2026", "17/10/2026", "Livraison le mardi", ""],
    ["BOULANGERIE DUPRE", "https://www.boulangerie-dupre.fr/", "0478001122", "3 pl. Bellecour", "69002", "LYON", "France", "Agroalimentaire", "14", "", "OUI", "02/05/2021", "20/03/2022", "19/03/2022", "", ""],
    ["Château Lafleur-Bégué", "chateau-lafleur-begue.fr", "05 99 00 12 34", "Lieu-dit Les Graves", "33330", "Saint-Émilion", "France", "Viticulture", "22", "2 400 000 €", "oui", "04/10/2018", "25/09/2026", "24/09/2026", "Vendanges fin septembre : ne pas appeler", ""],
    ["Garçon & Fils Menuiserie", "garcon-fils.fr", "02 99 00 45 67", "8 impasse des Tilleuls", "35000", "Rennes", "France", "Bâtiment", "9", "NC", "non", "07/07/2017", "15/05/2022", "14/05/2022", "", ""],
    ["Ébénisterie Moreau", "ebenisterie-moreau.fr", "03 99 00 98 76", "21 rue des Artisans", "67000", "Strasbourg", "France", "Artisanat", "6", "410000", "oui", "09/09/2019", "22/10/2026", "21/10/2026", "Très réactif.\nPréfère les e-mails aux appels.", ""],
    ["Clinique Vétérinaire des Alpes", "vet-alpes.fr", "04 99 00 33 44", "150 avenue de Genève", "74000", "Annecy", "France", "Santé", "28", f"1{NB}950{NB}000,00", "oui", "12/12/2020", "16/08/2026", "13/08/2026", "", ""],
    ["Librairie Les Mots Passants", "motspassants.fr", "01 99 00 55 66", "44 rue Mouffetard", "75005", "Paris", "France", "Commerce", "5", "320 000", "non", "06/06/2016", "19/01/2022", "18/01/2022", "Fermée en août", ""],
    ["Transports Lefèvre SA", "transports-lefevre.fr", "03 99 00 77 88", "Zone Industrielle Nord", "59000", "Lille", "France", "Transport", "140", "18 000 000 €", "oui", "10/01/2015", "28/10/2026", "27/10/2026", "", ""],
    ["Brasserie du Mont-Blanc", "brasserie-montblanc.ch", "+41 22 555 01 23", "Rue du Rhône 10", "1204", "Genève", "Suisse", "Agroalimentaire", "35", "3 100 000 CHF", "oui", "08/08/2019", "30/09/2026", "29/09/2026", "Facturer en CHF", ""],
    ["Atelier Lumière", "atelier-lumiere.be", "02 555 01 99", "Rue Neuve 5", "1000", "Bruxelles", "Belgique", "Design", "8", "", "non", "02/02/2022", "17/06/2026", "16/06/2026", "", ""],
    ["Test Test", "", "", "", "", "", "", "", "", "", "", "01/01/2024", "01/01/2024", "", "test", ""],
    ["asdf", "asdf.fr", "123", "asdf", "", "asdf", "", "", "", "", "non", "05/05/2024", "05/05/2024", "", "", ""],
    ["Pharmacie Centrale d'Orléans", "pharmacie-orleans.fr", "02 99 00 21 43", "1 place du Martroi", "45000", "Orléans", "France", "Santé", "11", "1,2 M€", "oui", "10/11/2018", "26/10/2026", "23/10/2026", "", ""],
]
write_csv("societes.csv", S_H, societes)
F = "societes.csv"
issue(F, "ACME Corp.", "Duplicates", "`ACME Corp.` — same company as `Acme Corp`")
issue(F, "Acme Corp ", "Duplicates", "`Acme Corp ` (trailing space) — third copy")
issue(F, "BOULANGERIE DUPRE", "Duplicates", "`BOULANGERIE DUPRE` (capitals, accent dropped) — same as `Boulangerie Dupré`; same phone in another format")
issue(F, "Acme Corp", "Domain variants", "`acme.com`")
issue(F, "ACME Corp.", "Domain variants", "`www.acme.com`")
issue(F, "Acme Corp ", "Domain variants", "`http://acme.com/about`")
issue(F, "BOULANGERIE DUPRE", "Domain variants", "`https://www.boulangerie-dupre.fr/`")
issue(F, "Test Test", "Test data", "company `Test Test`, comment `test`")
issue(F, "asdf", "Test data", "company `asdf`, phone `123`")
issue(F, "Garçon & Fils Menuiserie", "Stale records", "Dernière activité 14/05/2022")
issue(F, "Librairie Les Mots Passants", "Stale records", "Dernière activité 18/01/2022")
issue(F, "BOULANGERIE DUPRE", "Stale records", "Dernière activité 19/03/2022 (a duplicate: after the merge the newer date of Boulangerie Dupré wins)")
issue(F, "Acme Corp", "Multi-line cells", "Adresse `12 rue de la Paix` / `Bâtiment B`")
issue(F, "Ébénisterie Moreau", "Multi-line cells", "Commentaire on two lines")
for k, t in [("Acme Corp", "`12 500,50` (NBSP thousands separator, comma decimal)"), ("ACME Corp.", "`1 234,00 €` (NBSP; € is byte 0x80)"),
             ("Boulangerie Dupré", "`850 000 €`"), ("Château Lafleur-Bégué", "`2 400 000 €` (plain spaces)"),
             ("Garçon & Fils Menuiserie", "`NC` (non communiqué) — not a number"), ("Brasserie du Mont-Blanc", "`3 100 000 CHF` — currency in the cell"),
             ("Pharmacie Centrale d'Orléans", "`1,2 M€` — abbreviated millions, not parseable as an amount")]:
    issue(F, k, "Amounts", t)
for k, t in [("Acme Corp", "`01 23 45 67 89`"), ("ACME Corp.", "`01.23.45.67.89` (dots)"), ("BOULANGERIE DUPRE", "`0478001122` (no spaces)"),
             ("Brasserie du Mont-Blanc", "`+41 22 555 01 23` (Swiss, international)"), ("Atelier Lumière", "`02 555 01 99` (Belgian national, Pays Belgique)")]:
    issue(F, k, "National phones", t)
issue(F, "Acme Corp", "Dates", "`Date de création`: every value in the column has a day ≤ 12 (03/04/2019, 11/02/2021, 05/06/2023, …) — the order stays AMBIGUOUS from the data alone; day-first only by the preset default")
issue(F, "Acme Corp", "Dates", "`Dernière modification` / `Dernière activité`: days > 12 (14/09/2026) — day-first is inferable")
issue(F, "ACME Corp.", "Booleans", "`Client actif` spelled `oui`, `Oui`, `OUI`, `non`, empty")
issue(F, "ACME Corp.", "Other", "Pays `FR` vs `France`; Ville `PARIS` vs `Paris`")
issue(F, "Château Lafleur-Bégué", "Other", "accents in the name and city (`Saint-Émilion`) — Windows-1252")

# ── contacts.csv ──────────────────────────────────────────────────────────────────────────────
C_H = ["Civilité", "Prénom", "Nom", "Société", "Fonction", "E-mail", "Téléphone", "Portable", "Ville",
       "Date de création", "Dernière activité", "Newsletter", "Commentaire", "Champ libre 1"]
contacts = [
    ["Mme", "Ada", "Lindqvist", "Acme Corp", "Directrice des opérations", "ada@acme.com", "01 23 45 67 80", "06 12 34 56 78", "Paris", "15/03/2019", "10/09/2026", "oui", "", ""],
    ["Mme", "Ada", "LINDQVIST", "ACME Corp.", "Dir. opérations", " Ada@ACME.com ", "", "06.12.34.56.78", "Paris", "18/11/2021", "30/01/2023", "non", "", ""],
    ["M.", "Jean", "Doe", "Acme Corp", "Ingénieur", "john.doe@", "01 99 00 10 01", "", "Paris", "20/06/2022", "20/06/2022", "non", "", ""],
    ["Mme", "Jeanne", "Martin", "Boulangerie Dupré", "Gérante", "jane@@x.com", "04 78 00 11 23", "", "Lyon", "13/03/2020", "17/10/2026", "oui", "", ""],
    ["M.", "Bob", "Lemaire", "Transports Lefèvre SA", "Chef de quai", "bob at acme.com", "", "06 39 98 10 02", "Lille", "14/01/2015", "27/10/2026", "non", "", ""],
    ["Mme", "Élodie", "Fauré", "Château Lafleur-Bégué", "Directrice commerciale", "elodie.faure@chateau-lafleur-begue.fr", "05 99 00 12 35", "06 39 98 10 03", "Saint-Émilion", "22/10/2018", "24/09/2026", "oui", "Parle anglais et espagnol", ""],
    ["MME", "ELODIE", "FAURE", "CHATEAU LAFLEUR BEGUE", "", "Elodie.Faure@Chateau-Lafleur-Begue.fr", "", "", "ST EMILION", "19/02/2023", "19/02/2023", "", "", ""],
    ["M.", "François", "Garçon", "Garçon & Fils Menuiserie", "Gérant", "f.garcon@garcon-fils.fr", "02 99 00 45 68", "", "Rennes", "17/07/2017", "14/05/2022", "non", "A rappeler\nquand le chantier reprend", ""],
    ["Mme", "Agnès", "Moreau", "", "Ébéniste", "agnes@ebenisterie-moreau.fr", "", "06 39 98 10 04", "Strasbourg", "21/09/2019", "21/10/2026", "oui", "", ""],
    ["M.", "Luc", "Bernard", "", "Vétérinaire", "luc.bernard@vet-alpes.fr", "04 99 00 33 45", "", "Annecy", "30/12/2020", "13/08/2026", "non", "", ""],
    ["M.", "Karim", "Benali", "", "Consultant indépendant", "karim.benali@gmail.com", "", "06 39 98 10 05", "Marseille", "16/04/2025", "02/10/2026", "oui", "", ""],
    ["Mme", "Sophie", "Durand", "", "", "sophie.durand@orange.fr", "", "", "Nantes", "25/05/2025", "14/06/2026", "non", "", ""],
    ["M.", "Pierre", "Leroy", "", "Photographe", "pierre.leroy@free.fr", "", "06 39 98 10 06", "Bordeaux", "28/02/2024", "19/07/2026", "oui", "", ""],
    ["Mme", "Claire", "Vasseur", "Librairie Les Mots Passants", "Libraire", "claire@motspassants.fr", "01 99 00 55 67", "", "Paris", "16/06/2016", "18/01/2022", "non", "", ""],
    ["M.", "Hugo", "Lefèvre", "Transports Lefèvre SA", "Directeur général", "hugo.lefevre@transports-lefevre.fr", "03 99 00 77 89", "06 39 98 10 07", "Lille", "13/01/2015", "27/10/2026", "non", "Décideur.\nSecrétaire : Mme Caron.", ""],
    ["M.", "Nicolas", "Lambert", "Ferronnerie Lambert", "Artisan", "nicolas@ferronnerie-lambert.fr", "03 99 00 66 12", "", "Dijon", "19/09/2023", "20/09/2026", "non", "", ""],
    ["Mme", "Test", "Test", "Test Test", "", "test@example.com", "", "", "", "01/01/2024", "", "non", "", ""],
    ["M.", "asdf", "asdf", "asdf", "", "asdf@asdf.fr", "123", "", "asdf", "05/05/2024", "", "", "", ""],
    ["M.", "Yves", "Rochat", "Brasserie du Mont-Blanc", "Brasseur", "yves.rochat@brasserie-montblanc.ch", "+41 22 555 01 24", "", "Genève", "18/08/2019", "29/09/2026", "oui", "", ""],
    ["Mme", "Inès", "Dubois", "Atelier Lumière", "Designer", "ines@atelier-lumiere.be", "02 555 01 98", "0470 12 34 56", "Bruxelles", "14/02/2022", "16/06/2026", "oui", "", ""],
    ["M.", "Thomas", "Petit", "Pharmacie Centrale d'Orléans", "Pharmacien titulaire", "t.petit@pharmacie-orleans.fr", "02 99 00 21 44", "", "Orléans", "20/11/2018", "23/10/2026", "non", "", ""],
    ["M.", "Rémi", "Girard", "Clinique Vétérinaire des Alpes", "Associé", "remi.girard@vet-alpes.fr", "04 99 00 33 46", "", "Annecy", "23/01/2021", "12/03/2022", "non", "", ""],
]
write_csv("contacts.csv", C_H, contacts)
F = "contacts.csv"
issue(F, " Ada@ACME.com ", "Duplicates", "` Ada@ACME.com `, `LINDQVIST` — same person as `ada@acme.com`")
issue(F, "Elodie.Faure@Chateau-Lafleur-Begue.fr", "Duplicates", "`ELODIE FAURE`, accents dropped, email in mixed case — same as Élodie Fauré")
issue(F, "john.doe@", "Invalid emails", "`john.doe@`")
issue(F, "jane@@x.com", "Invalid emails", "`jane@@x.com`")
issue(F, "bob at acme.com", "Invalid emails", "`bob at acme.com`")
issue(F, "test@example.com", "Test data", "`Test Test`, `test@example.com`")
issue(F, "asdf@asdf.fr", "Test data", "`asdf asdf`, phone `123`")
for k, d in [("john.doe@", "20/06/2022"), ("f.garcon@garcon-fils.fr", "14/05/2022"), ("claire@motspassants.fr", "18/01/2022"), ("remi.girard@vet-alpes.fr", "12/03/2022")]:
    issue(F, k, "Stale records", f"Dernière activité {d}")
issue(F, "f.garcon@garcon-fils.fr", "Stale but kept", "Contact of the OPEN opportunity `Agencement atelier` (Négociation) in opportunites.xlsx")
issue(F, "claire@motspassants.fr", "Stale but kept", "Contact of the OPEN opportunity `Rayonnages sur mesure` (Proposition) in opportunites.xlsx")
issue(F, "nicolas@ferronnerie-lambert.fr", "Dangling references", "Société `Ferronnerie Lambert` is in no row of societes.csv")
issue(F, "karim.benali@gmail.com", "Free-mail, no company", "`karim.benali@gmail.com`")
issue(F, "sophie.durand@orange.fr", "Free-mail, no company", "`sophie.durand@orange.fr` (French ISP mail — must be on the free-mail list)")
issue(F, "pierre.leroy@free.fr", "Free-mail, no company", "`pierre.leroy@free.fr` (French ISP mail)")
issue(F, "agnes@ebenisterie-moreau.fr", "Link by email domain", "no Société, `@ebenisterie-moreau.fr` = Ébénisterie Moreau")
issue(F, "luc.bernard@vet-alpes.fr", "Link by email domain", "no Société, `@vet-alpes.fr` = Clinique Vétérinaire des Alpes")
issue(F, "Elodie.Faure@Chateau-Lafleur-Begue.fr", "Other", "Société `CHATEAU LAFLEUR BEGUE` only matches `Château Lafleur-Bégué` after accent/punctuation folding")
issue(F, "f.garcon@garcon-fils.fr", "Multi-line cells", "Commentaire on two lines")
issue(F, "hugo.lefevre@transports-lefevre.fr", "Multi-line cells", "Commentaire on two lines")
for k, t in [("ada@acme.com", "`01 23 45 67 80` / `06 12 34 56 78`"), (" Ada@ACME.com ", "`06.12.34.56.78` (dots)"),
             ("ines@atelier-lumiere.be", "`02 555 01 98` / `0470 12 34 56` (Belgian; no country column in contacts — read as French by default_country FR, wrongly)")]:
    issue(F, k, "National phones", t)
issue(F, "ada@acme.com", "Dates", "`Date de création` and `Dernière activité` have days > 12 (15/03/2019) — day-first inferable")
issue(F, "ada@acme.com", "Booleans", "`Newsletter` oui/non (empty for some rows)")

# ── opportunites.xlsx ─────────────────────────────────────────────────────────────────────────
from openpyxl import Workbook
wb = Workbook()
ws = wb.active
ws.title = "Opportunités"
O_H = ["Référence", "Intitulé", "Société", "Contact", "Montant", "Devise", "Étape", "Date de clôture",
       "Probabilité", "Montant pondéré", "Commercial", "Tél. contact"]
ws.append(O_H)
D = datetime.date
opps = [
    # ref, title, company, contact, amount, cur, stage, close, prob, owner, phone
    [20240101, "Ligne 3 — rénovation", "Acme Corp", "Ada Lindqvist", 185000, "EUR", "Négociation", D(2026, 12, 15), 0.8, "Julie Marchand", 612345678],
    [20240102, "Pièces détachées 2023", "ACME Corp.", "Ada LINDQVIST", 42000, "EUR", "Gagné", D(2023, 1, 27), 1, "Olivier Brunet", None],
    [20240103, "Fours connectés", "Boulangerie Dupré", "Jeanne Martin", 12500.5, "EUR", "Proposition", D(2027, 2, 28), 0.5, "Julie Marchand", 478001123],
    [20240104, "Cuverie inox", "Château Lafleur-Bégué", "Élodie Fauré", 96000, "EUR", "Découverte", D(2027, 3, 31), 0.2, "Olivier Brunet", 639981003],
    [20240105, "Agencement atelier", "Garçon & Fils Menuiserie", "François Garçon", 23000, "EUR", "Négociation", D(2026, 12, 20), 0.7, "Julie Marchand", 299004568],
    [20240106, "Rayonnages sur mesure", "Librairie Les Mots Passants", "Claire Vasseur", 8700, "EUR", "Proposition", D(2027, 1, 31), 0.6, "Olivier Brunet", None],
    [20240107, "Flotte télématique", "Transports Lefèvre SA", "Hugo Lefèvre", 310000, "EUR", "Gagné", D(2026, 6, 30), 1, "Julie Marchand", 639981007],
    [20240108, "Imagerie vétérinaire", "Clinique Vétérinaire des Alpes", "Luc Bernard", 54000, "EUR", "Perdu", D(2025, 9, 30), 0, "Olivier Brunet", None],
    [20240109, "Ligne d'embouteillage", "Brasserie du Mont-Blanc", "Yves Rochat", 140000, "CHF", "RDV", D(2027, 5, 31), 0.3, "Julie Marchand", None],
    [20240110, "Luminaires showroom", "Atelier Lumière", "Inès Dubois", 18000, "EUR", "En attente", D(2027, 4, 30), 0.3, "Julie Marchand", None],
    [20240111, "Grilles et portails", "Ferronnerie Lambert", "Nicolas Lambert", 15000, "EUR", "Découverte", "31/12/2026", 0.1, "Olivier Brunet", None],
    [20240112, "Robot de dispensation", "Pharmacie Centrale d'Orléans", "Thomas Petit", "12 500,50", "EUR", "Proposition", D(2027, 1, 15), 0.5, "Sandrine Roy", None],
    [20240113, "test", "Test Test", "Test Test", 1, "EUR", "Nouveau", D(2024, 2, 29), 0.1, "Julie Marchand", None],
    [20240114, "Mobilier atelier", "Ébénisterie Moreau", "Agnès Moreau", 31000, "EUR", "Abandonné", D(2025, 11, 30), 0, "Olivier Brunet", None],
    [20240115, "Extension clinique", "Clinique Vétérinaire des Alpes", "Rémi Girard", 76000, "EUR", "Proposition", D(2027, 2, 15), 0.4, "Olivier Brunet", None],
]
cached = {}
for i, r in enumerate(opps, start=2):
    ref, title, comp, contact, amount, cur, stage, close, prob, owner, phone = r
    ws.append([ref, title, comp, contact, amount, cur, stage, close, prob, f"=E{i}*I{i}", owner, phone])
    ws.cell(row=i, column=5).number_format = '#,##0.00 "€"' if cur == "EUR" else '#,##0.00'
    if isinstance(close, datetime.date):
        ws.cell(row=i, column=8).number_format = "dd/mm/yyyy"
    ws.cell(row=i, column=9).number_format = "0%"
    ws.cell(row=i, column=10).number_format = "#,##0.00"
    cached[f"J{i}"] = amount * prob if isinstance(amount, (int, float)) else None
    lines[("opportunites.xlsx", title)] = i
for col, width in zip("ABCDEFGHIJKL", [12, 28, 30, 18, 14, 8, 14, 16, 12, 16, 16, 14]):
    ws.column_dimensions[col].width = width
path = os.path.join(HERE, "opportunites.xlsx")
wb.save(path)

# Add the cached values Excel would have stored after computing `Montant pondéré`.
def add_cached_values(path):
    tmp = tempfile.NamedTemporaryFile(delete=False, suffix=".xlsx").name
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode("utf-8")
                def fill(m):
                    ref, style, formula = m.group(1), m.group(2), m.group(3)
                    v = cached.get(ref)
                    if v is None:  # Excel caches #VALUE! when an operand is text
                        return f'<c r="{ref}" t="e"{style}><f>{formula}</f><v>#VALUE!</v></c>'
                    return f'<c r="{ref}"{style}><f>{formula}</f><v>{v:g}</v></c>'
                xml, n = re.subn(r'<c r="(J\d+)"((?:\s+s="\d+")?)><f>([^<]*)</f><v\s*/?>(?:</v>)?</c>', fill, xml)
                assert n == len(opps), f"patched {n} formula cells"
                data = xml.encode("utf-8")
            zout.writestr(item, data)
    shutil.move(tmp, path)
add_cached_values(path)

F = "opportunites.xlsx"
issue(F, "Pièces détachées 2023", "Duplicates", "Société `ACME Corp.` and contact `Ada LINDQVIST` — the duplicates; must follow the merges")
issue(F, "Imagerie vétérinaire", "Stages without a Twenty equivalent", "Étape `Perdu` → LOST (new option)")
issue(F, "Mobilier atelier", "Stages without a Twenty equivalent", "Étape `Abandonné` → LOST")
issue(F, "Luminaires showroom", "Stages without a Twenty equivalent", "Étape `En attente` — not in the value map → new option EN_ATTENTE")
issue(F, "Grilles et portails", "Dangling references", "Société `Ferronnerie Lambert` is in no row of societes.csv")
issue(F, "Grilles et portails", "Dates", "`Date de clôture` is the TEXT `31/12/2026`, not a date cell (every other row is a real Excel date)")
issue(F, "Robot de dispensation", "Amounts", "`Montant` is the TEXT `12 500,50`, not a number; its `Montant pondéré` caches `#VALUE!`; owner `Sandrine Roy` is not a member")
issue(F, "Ligne 3 — rénovation", "Other", "`Référence` is a number cell (20240101) used as the id; `Tél. contact` is the NUMBER 612345678 — the phone lost its leading 0 (06 12 34 56 78)")
issue(F, "Ligne 3 — rénovation", "Formula", "`Montant pondéré` (column J) is a formula `=E2*I2` with its cached value 148000 — openpyxl cannot compute formulas, so make.py writes the cached value into the sheet XML itself; a reader must use the cached value, never the formula text")
issue(F, "Ligne d'embouteillage", "Other", "Devise `CHF`; Étape `RDV` → MEETING")
issue(F, "test", "Test data", "`test`, amount 1, Société `Test Test`")
issue(F, "Agencement atelier", "Stale but kept", "OPEN (Négociation) — its contact François Garçon is stale")
issue(F, "Rayonnages sur mesure", "Stale but kept", "OPEN (Proposition) — its contact Claire Vasseur is stale")

# ── EXPECTED.md ───────────────────────────────────────────────────────────────────────────────
sections = ["Duplicates", "Domain variants", "Test data", "Stale records", "Stale but kept", "Invalid emails", "National phones",
            "Amounts", "Dates", "Booleans", "Multi-line cells", "Dangling references", "Free-mail, no company",
            "Link by email domain", "Stages without a Twenty equivalent", "Formula", "Other"]
out = ["# French Excel export — planted problems", "",
       "A small French business's spreadsheets, read with the `generic` preset: `societes.csv` and",
       "`contacts.csv` saved by Excel as *CSV (séparateur : point-virgule)* — **Windows-1252** (é è ç à,",
       "€ = byte 0x80, non-breaking space = 0xA0), `;` delimiter, CRLF, `dd/mm/yyyy` dates, amounts",
       "`12 500,50` / `1 234,00 €`, national French phones `01 23 45 67 89` / `06 12 34 56 78`, `oui`/`non`",
       "booleans — and `opportunites.xlsx` (real date cells, numbers stored as numbers, a formula with a",
       "cached value). Regenerate everything with `python3 make.py` (needs openpyxl). All companies,",
       "people, emails and phone numbers are invented. Staleness as of **2026-11-24**.", "",
       "The generic preset has no `default_currency` or `default_country`: run it with",
       "`default_currency = \"EUR\"`, `default_country = \"FR\"` (what `init` should propose when it sees",
       "French headers), otherwise `12 500,50` is read as USD and `01 23 45 67 89` has no country.", "",
       "Line numbers are physical lines of the CSV (header = line 1; a record whose quoted cell spans",
       "several lines is given by the line it starts on); for the workbook, the Excel row.", "",
       "## Empty columns", "",
       "| file | column | problem |", "|---|---|---|",
       "| `societes.csv` | `Code NAF` | empty in every row |",
       "| `contacts.csv` | `Champ libre 1` | empty in every row |", ""]
for sec in sections:
    out += [f"## {sec}", "", "| file | line | record | problem |", "|---|---|---|---|"]
    for (f, key, s, text) in issues:
        if s == sec:
            out.append(f"| `{f}` | {lines[(f, key)]} | `{key.strip()}` | {text} |")
    out.append("")
with open(os.path.join(HERE, "EXPECTED.md"), "w", encoding="utf-8") as f:
    f.write("\n".join(out))
print("wrote societes.csv, contacts.csv, opportunites.xlsx, EXPECTED.md in", HERE)
