//! Headless Chromium for the tests of the pages (report.html, audit.html): finding it (or
//! skipping the browser half of a test when it is missing, unless CRM2TWENTY_REQUIRE_BROWSER is
//! set, as CI does), dumping a page's DOM, taking screenshots, and measuring whether anything
//! is cut at a given width.
//!
//! Headless Chromium will not make a window narrower than 500 px (`--window-size=420,900` gives
//! a 500 px wide layout whose screenshot is cropped to 420), so a page is laid out at an exact
//! width inside an `<iframe>` of that width, in a wrapper page at the top left of the window.

use std::path::{Path, PathBuf};
use std::process::Output;

/// The Chromium of this machine, if there is one.
pub fn chromium() -> Option<PathBuf> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

/// Chromium, or `None` when the browser half of a test is to be skipped (said on stderr). CI
/// sets CRM2TWENTY_REQUIRE_BROWSER: there a missing browser fails the test.
pub fn chromium_or_skip() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        assert!(
            std::env::var_os("CRM2TWENTY_REQUIRE_BROWSER").is_none(),
            "chromium is required here (.ci/run installs it and sets CRM2TWENTY_REQUIRE_BROWSER)"
        );
        eprintln!("chromium is not installed: the browser half of this test is skipped");
    }
    found
}

/// Runs headless Chromium on `url` with `extra` arguments (`--dump-dom`, `--screenshot=…`,
/// `--window-size=…`), its profile in `profile`, no network of its own.
pub fn headless(browser: &Path, profile: &Path, extra: &[String], url: &str) -> Output {
    std::process::Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=3000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .unwrap()
}

/// The DOM of `page` once loaded and its scripts ran, and Chromium's log.
pub fn dump_dom(browser: &Path, profile: &Path, page: &Path) -> (String, String) {
    let out = headless(
        browser,
        profile,
        &["--dump-dom".into()],
        &format!("file://{}", page.display()),
    );
    (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// Measures the page inside a frame: all its `<details>` opened (what a person sees when they
/// open them), it answers the width it was laid out at and every element that sticks out of
/// it: the page itself when it scrolls sideways, any table not inside its scrolling wrapper,
/// a table wrapper, chart or bar, paragraph, heading or list item wider than the frame.
const CHECK: &str = r#"
window.addEventListener('load', function () {
  document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  var w = window.innerWidth, de = document.documentElement, cut = [];
  if (de.scrollWidth > w) cut.push('the page is ' + de.scrollWidth + ' px wide');
  document.querySelectorAll('.tw, .chart, .cbar, .cards, svg, img, table, pre, p, h1, h2, h3, summary, nav, li, code').forEach(function (el) {
    if (el.tagName === 'TABLE' && el.parentElement.classList.contains('tw')) return;
    if (el.closest('.tw') && el.tagName !== 'DIV' ) return;
    var r = el.getBoundingClientRect();
    if (r.width > 0 && (r.left < -0.5 || r.right > w + 0.5)) {
      cut.push(el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined ? '.' + el.className : '') + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
    }
  });
  var tables = document.querySelectorAll('table').length, wrapped = document.querySelectorAll('.tw > table').length;
  parent.postMessage({ width: w, cut: cut.slice(0, 20).join('; '), tables: tables, wrapped: wrapped }, '*');
});
"#;

/// A page holding `src` in a frame `width` px wide, at the top left, with nothing around it;
/// what the frame posts is written into the wrapper's `<html>` attributes (`--dump-dom` shows
/// the top document only).
fn frame(width: u32, src: &str) -> String {
    format!(
        "<!doctype html><html><head><meta charset=utf-8><style>html,body{{margin:0;padding:0;overflow:hidden}}iframe{{border:0;display:block}}</style></head>\
         <body><iframe src=\"{src}\" width={width} height=900></iframe><script>\
         window.addEventListener('message', function (e) {{ var d = document.documentElement;\
         d.setAttribute('data-width', e.data.width); d.setAttribute('data-cut', e.data.cut);\
         d.setAttribute('data-tables', e.data.tables); d.setAttribute('data-wrapped', e.data.wrapped);\
         d.setAttribute('data-checked', '1'); }});</script></body></html>"
    )
}

/// What [`fit`] measured.
#[derive(Debug)]
pub struct Fit {
    /// The width the page was laid out at.
    pub width: u32,
    /// What sticks out, empty when nothing does.
    pub cut: String,
    pub tables: usize,
    /// Tables inside their scrolling wrapper.
    pub wrapped: usize,
}

fn attribute(dom: &str, name: &str) -> Option<String> {
    let html = &dom[dom.find("<html")?..];
    let html = &html[..html.find('>')?];
    let start = html.find(&format!("{name}=\""))? + name.len() + 2;
    let end = html[start..].find('"')? + start;
    Some(html[start..end].replace("&gt;", ">").replace("&amp;", "&"))
}

/// Lays `page` out in a frame `width` px wide (a copy of it beside it, with the measuring
/// script) and says what sticks out.
pub fn fit(browser: &Path, profile: &Path, page: &Path, width: u32) -> Fit {
    let dir = page.parent().unwrap();
    let name = page.file_name().unwrap().to_string_lossy().to_string();
    let html = std::fs::read_to_string(page).unwrap();
    let checked = format!("measure-{name}");
    std::fs::write(
        dir.join(&checked),
        html.replacen("</body>", &format!("<script>{CHECK}</script></body>"), 1),
    )
    .unwrap();
    let wrapper = dir.join(format!("measure-{width}-{name}"));
    std::fs::write(&wrapper, frame(width, &checked)).unwrap();
    let (dom, log) = dump_dom(browser, profile, &wrapper);
    let get = |n: &str| attribute(&dom, n).unwrap_or_default();
    assert_eq!(get("data-checked"), "1", "the measure ran: {log}\n{dom}");
    Fit {
        width: get("data-width").parse().unwrap(),
        cut: get("data-cut"),
        tables: get("data-tables").parse().unwrap(),
        wrapped: get("data-wrapped").parse().unwrap(),
    }
}

/// A screenshot of `page` as it shows in a window `width` px wide and 900 high (the page as a
/// person first sees it, nothing opened), saved as `png`.
pub fn screenshot(browser: &Path, profile: &Path, page: &Path, width: u32, png: &Path) {
    let dir = page.parent().unwrap();
    let name = page.file_name().unwrap().to_string_lossy().to_string();
    let wrapper = dir.join(format!("frame-{width}-{name}"));
    std::fs::write(&wrapper, frame(width, &name)).unwrap();
    let out = headless(
        browser,
        profile,
        &[
            format!("--window-size={width},900"),
            format!("--screenshot={}", png.display()),
        ],
        &format!("file://{}", wrapper.display()),
    );
    assert!(
        png.is_file(),
        "no screenshot at {}: {}",
        png.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The width and height of a PNG file (from its IHDR chunk).
pub fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    let n = |i: usize| u32::from_be_bytes(png[i..i + 4].try_into().unwrap());
    (n(16), n(20))
}
