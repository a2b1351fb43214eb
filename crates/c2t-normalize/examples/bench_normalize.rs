//! Rough throughput of each normaliser on a mixed, generated input. Prints ops/s; asserts nothing.
//!
//! ```sh
//! cargo run --release -p c2t-normalize --example bench_normalize [ops-per-normaliser]
//! ```

use std::hint::black_box;
use std::time::Instant;

use c2t_normalize::*;

/// A small deterministic generator (xorshift), so runs are comparable without a rand crate.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
    fn num(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn inputs(kind: &str, n: usize) -> Vec<String> {
    let mut g = Gen(0x9E37_79B9_7F4A_7C15);
    let words = [
        "acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "münchen",
    ];
    let tlds = ["com", "fr", "co.uk", "de", "io", "con"];
    (0..n)
        .map(|i| match kind {
            "domain" | "link" => format!(
                "{}{}{}.{}{}",
                g.pick(&["", "http://", "https://"]),
                g.pick(&["", "www.", "shop."]),
                g.pick(&words),
                g.pick(&tlds),
                g.pick(&["", "/", "/about?x=1"])
            ),
            "email" => {
                let (open, close) = match g.num(3) {
                    0 => ("Ada <", ">"),
                    1 => ("mailto:", ""),
                    _ => ("", ""),
                };
                format!(
                    "{open}{}.{i}@{}.{}{close}",
                    g.pick(&["ada", "bob", "Zoë"]),
                    g.pick(&["gmail", "yahoo", "acme", "globex"]),
                    g.pick(&tlds)
                )
            }
            "phone" => match g.num(4) {
                0 => format!(
                    "+33 6 {:02} {:02} {:02} {:02}",
                    g.num(100),
                    g.num(100),
                    g.num(100),
                    g.num(100)
                ),
                1 => format!(
                    "06 {:02} {:02} {:02} {:02}",
                    g.num(100),
                    g.num(100),
                    g.num(100),
                    g.num(100)
                ),
                2 => format!("({}) 555-{:04}", 200 + g.num(700), g.num(10000)),
                _ => format!("+49 30 {}", 1_000_000 + g.num(9_000_000)),
            },
            "date" => match g.num(4) {
                0 => format!(
                    "{:02}/{:02}/20{:02}",
                    1 + g.num(28),
                    1 + g.num(12),
                    g.num(30)
                ),
                1 => format!(
                    "2024-{:02}-{:02}T14:30:00.000Z",
                    1 + g.num(12),
                    1 + g.num(28)
                ),
                2 => format!(
                    "{} {} 2024",
                    1 + g.num(28),
                    g.pick(&["mars", "March", "Dec"])
                ),
                _ => format!("{}", 1_700_000_000_000 + g.num(100_000_000_000)),
            },
            "number" => format!(
                "{}{}{}",
                g.pick(&["", "-", "("]),
                g.num(100_000),
                g.pick(&["", ".50", ",25", " 000,75"])
            ),
            "money" => format!(
                "{}{}{}{}",
                g.pick(&["", "$", "€ ", "-"]),
                g.num(100_000),
                g.pick(&["", ".50", ",25"]),
                g.pick(&["", " EUR", " €"])
            ),
            "boolean" => g
                .pick(&["yes", "No", "TRUE", "0", "oui", "x", "maybe"])
                .to_string(),
            "name" => format!(
                "{} {} {}",
                g.pick(&["Dr.", "", "Mme"]),
                g.pick(&["Ada", "Ludwig", "Marie"]),
                g.pick(&["Lovelace", "van Beethoven", "Curie"])
            ),
            "company" => format!(
                "{} {}",
                g.pick(&["Acme", "Société Générale", "Globex", "L'Oréal"]),
                g.pick(&["Inc.", "S.A.", "GmbH & Co. KG", ""])
            ),
            "country" => g
                .pick(&[
                    "FR",
                    "France",
                    "USA",
                    "Royaume-Uni",
                    "Deutschland",
                    "Atlantis",
                ])
                .to_string(),
            "select" => g
                .pick(&["Closed Lost", "Négociation", "3 - Qualified"])
                .to_string(),
            _ => format!(
                "{}{}\r\n",
                g.pick(&["=1+1 ", "-12.5", "test", "", "@x "]),
                g.pick(&["", " acme", " do not use"])
            ),
        })
        .collect()
}

fn bench(name: &str, kind: &str, n: usize, f: impl Fn(&str) -> bool) {
    let data = inputs(kind, n);
    // Warm the lazily built tables outside the timing.
    black_box(f(&data[0]));
    let start = Instant::now();
    let mut ok = 0usize;
    for s in &data {
        if f(black_box(s)) {
            ok += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{name:<16} {:>12.0} ops/s   ({n} ops, {:.1}% ok, {:.3} s)",
        n as f64 / secs,
        100.0 * ok as f64 / n as f64,
        secs
    );
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    bench("domain", "domain", n, |s| domain(s).is_ok());
    bench("link", "link", n, |s| link(s).is_ok());
    bench("email", "email", n, |s| email(s).is_ok());
    bench("is_free_mail", "email", n, |s| is_free_mail(domain_of(s)));
    bench("phone", "phone", n, |s| phone(s, Some("FR")).is_ok());
    bench("date", "date", n, |s| date(s, DateOrder::DayFirst).is_ok());
    bench("datetime", "date", n, |s| {
        datetime(s, DateOrder::DayFirst).is_ok()
    });
    bench("decimal", "number", n, |s| decimal(s, None).is_ok());
    bench("money", "money", n, |s| money(s, None, "EUR", None).is_ok());
    bench("boolean", "boolean", n, |s| boolean(s).is_ok());
    bench("split_full_name", "name", n, |s| {
        !split_full_name(s).0.is_empty()
    });
    bench("fingerprint", "company", n, |s| !fingerprint(s).is_empty());
    bench("similarity", "company", n, |s| {
        similarity(s, "Acme Inc") > 0.9
    });
    bench("country", "country", n, |s| country(s).is_ok());
    bench("option_value", "select", n, |s| !option_value(s).is_empty());
    bench("clean", "text", n, |s| !clean(s).is_empty());
    bench("is_test_value", "text", n, is_test_value);
    bench("csv_safe", "text", n, |s| csv_safe(s).starts_with('\''));
}
