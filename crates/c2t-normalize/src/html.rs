//! HTML bodies of notes and emails as Markdown: [`html_to_markdown`]. HubSpot and Salesforce
//! export email and note bodies as HTML (Outlook's and Gmail's included); Twenty's notes take
//! Markdown (`bodyV2.markdown`).
//!
//! Hand-written rather than a crate. Measured on this workspace (2 cores, debug, clean target):
//! `htmd` 0.5 adds 18 packages to Cargo.lock (html5ever, markup5ever, markup5ever_rcdom,
//! xml5ever, tendril, string_cache and its codegen, web_atoms, five phf crates, parking_lot,
//! siphasher, …) and takes a clean build of c2t-normalize from 3 min 53 s to 4 min 40 s (+20 %).
//! The others are no lighter: `mdka` (default features off) +27 packages (html5ever, scraper,
//! selectors, cssparser), `fast_html2md` +26 (lol_html, selectors, cssparser, two phf
//! versions), `html-to-markdown-rs` +26 (html5ever, astral-tl, tracing), `html2text` +15 (html5ever;
//! and it renders plain text, not Markdown); `html2md` is GPL-3.0, which this MIT/Apache
//! project cannot take. CRM bodies need a forgiving tokenizer and a dozen elements, not a
//! spec-complete tree builder: the few hundred lines below, with table tests.
//!
//! Not done here: CSS (`display:none`, colours), tables as Markdown tables (rows become lines,
//! cells are separated by ` | `), images (their `alt` text is kept, never the image: remote
//! images in emails are often tracking pixels), underline (Markdown has none: the text is kept).

use std::borrow::Cow;

/// Elements recognised as HTML when deciding whether a cell is HTML at all: a cell whose only
/// `<…>` are things like `<annie@contoso.com>` or `<3` is plain text.
const KNOWN_TAGS: &[&str] = &[
    "a",
    "abbr",
    "address",
    "article",
    "aside",
    "b",
    "base",
    "big",
    "blockquote",
    "body",
    "br",
    "button",
    "caption",
    "center",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "fieldset",
    "figcaption",
    "figure",
    "font",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "header",
    "hr",
    "html",
    "i",
    "iframe",
    "img",
    "input",
    "ins",
    "kbd",
    "label",
    "li",
    "link",
    "main",
    "mark",
    "meta",
    "nav",
    "noscript",
    "o:p",
    "object",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "script",
    "section",
    "small",
    "span",
    "strike",
    "strong",
    "style",
    "sub",
    "summary",
    "sup",
    "svg",
    "table",
    "tbody",
    "td",
    "template",
    "textarea",
    "tfoot",
    "th",
    "thead",
    "title",
    "tr",
    "tt",
    "u",
    "ul",
    "wbr",
    "xml",
];

/// Elements dropped with everything inside them.
const DROPPED: &[&str] = &[
    "script", "style", "title", "template", "noscript", "svg", "math", "xml", "iframe", "object",
    "textarea", "select",
];

/// Elements that start and end a line (a single hard line break, as a browser shows them).
const LINE_BLOCKS: &[&str] = &[
    "div",
    "section",
    "article",
    "header",
    "footer",
    "nav",
    "aside",
    "main",
    "address",
    "center",
    "figure",
    "figcaption",
    "form",
    "fieldset",
    "dl",
    "dt",
    "dd",
    "details",
    "summary",
    "caption",
    "table",
    "tr",
    "body",
];

/// Named character references: the ones CRM and mail editors write.
const ENTITIES: &[(&str, &str)] = &[
    ("amp", "&"),
    ("lt", "<"),
    ("gt", ">"),
    ("quot", "\""),
    ("apos", "'"),
    ("nbsp", "\u{A0}"),
    ("ensp", "\u{2002}"),
    ("emsp", "\u{2003}"),
    ("thinsp", "\u{2009}"),
    ("shy", ""),
    ("zwnj", ""),
    ("zwj", ""),
    ("lrm", ""),
    ("rlm", ""),
    ("ndash", "–"),
    ("mdash", "—"),
    ("hellip", "…"),
    ("lsquo", "‘"),
    ("rsquo", "’"),
    ("sbquo", "‚"),
    ("ldquo", "“"),
    ("rdquo", "”"),
    ("bdquo", "„"),
    ("laquo", "«"),
    ("raquo", "»"),
    ("lsaquo", "‹"),
    ("rsaquo", "›"),
    ("bull", "•"),
    ("middot", "·"),
    ("dagger", "†"),
    ("Dagger", "‡"),
    ("permil", "‰"),
    ("prime", "′"),
    ("Prime", "″"),
    ("larr", "←"),
    ("rarr", "→"),
    ("uarr", "↑"),
    ("darr", "↓"),
    ("harr", "↔"),
    ("check", "✓"),
    ("copy", "©"),
    ("reg", "®"),
    ("trade", "™"),
    ("euro", "€"),
    ("pound", "£"),
    ("yen", "¥"),
    ("cent", "¢"),
    ("curren", "¤"),
    ("sect", "§"),
    ("para", "¶"),
    ("deg", "°"),
    ("plusmn", "±"),
    ("times", "×"),
    ("divide", "÷"),
    ("frac12", "½"),
    ("frac14", "¼"),
    ("frac34", "¾"),
    ("sup1", "¹"),
    ("sup2", "²"),
    ("sup3", "³"),
    ("micro", "µ"),
    ("ordf", "ª"),
    ("ordm", "º"),
    ("not", "¬"),
    ("iexcl", "¡"),
    ("iquest", "¿"),
    ("brvbar", "¦"),
    ("uml", "¨"),
    ("acute", "´"),
    ("cedil", "¸"),
    ("macr", "¯"),
    ("circ", "ˆ"),
    ("tilde", "˜"),
    ("fnof", "ƒ"),
    ("Agrave", "À"),
    ("Aacute", "Á"),
    ("Acirc", "Â"),
    ("Atilde", "Ã"),
    ("Auml", "Ä"),
    ("Aring", "Å"),
    ("AElig", "Æ"),
    ("Ccedil", "Ç"),
    ("Egrave", "È"),
    ("Eacute", "É"),
    ("Ecirc", "Ê"),
    ("Euml", "Ë"),
    ("Igrave", "Ì"),
    ("Iacute", "Í"),
    ("Icirc", "Î"),
    ("Iuml", "Ï"),
    ("ETH", "Ð"),
    ("Ntilde", "Ñ"),
    ("Ograve", "Ò"),
    ("Oacute", "Ó"),
    ("Ocirc", "Ô"),
    ("Otilde", "Õ"),
    ("Ouml", "Ö"),
    ("Oslash", "Ø"),
    ("Ugrave", "Ù"),
    ("Uacute", "Ú"),
    ("Ucirc", "Û"),
    ("Uuml", "Ü"),
    ("Yacute", "Ý"),
    ("THORN", "Þ"),
    ("szlig", "ß"),
    ("agrave", "à"),
    ("aacute", "á"),
    ("acirc", "â"),
    ("atilde", "ã"),
    ("auml", "ä"),
    ("aring", "å"),
    ("aelig", "æ"),
    ("ccedil", "ç"),
    ("egrave", "è"),
    ("eacute", "é"),
    ("ecirc", "ê"),
    ("euml", "ë"),
    ("igrave", "ì"),
    ("iacute", "í"),
    ("icirc", "î"),
    ("iuml", "ï"),
    ("eth", "ð"),
    ("ntilde", "ñ"),
    ("ograve", "ò"),
    ("oacute", "ó"),
    ("ocirc", "ô"),
    ("otilde", "õ"),
    ("ouml", "ö"),
    ("oslash", "ø"),
    ("ugrave", "ù"),
    ("uacute", "ú"),
    ("ucirc", "û"),
    ("uuml", "ü"),
    ("yacute", "ý"),
    ("thorn", "þ"),
    ("yuml", "ÿ"),
    ("Yuml", "Ÿ"),
    ("OElig", "Œ"),
    ("oelig", "œ"),
    ("Scaron", "Š"),
    ("scaron", "š"),
];

/// What browsers show for the numeric references `&#128;` to `&#159;` (Windows-1252, which is
/// what the pages that write them meant); 0 where Windows-1252 has nothing either.
const CP1252: [u32; 32] = [
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039,
    0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC,
    0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
];

/// Convert an HTML note or email body to Markdown. Text with no HTML tag (no `<p>`, `<br>`,
/// `<div>`, … nor an HTML comment) comes back as it is, borrowed: plain-text notes are never
/// touched, entities and all.
///
/// HTML is read forgivingly (unclosed and stray tags, attributes without quotes, upper case) and
/// becomes:
/// * `p`, `h1`–`h6`, `blockquote`, `ul`/`ol`, `hr`, `pre`: Markdown blocks (`# Title`,
///   `> quote`, `- item`, `1. item` with nesting, `---`); `div`, `tr`, `table` and other blocks
///   start a new line; `br` is a hard line break (two spaces, then a newline), and a `br` on a
///   line of its own an empty line, as Gmail's `<div><br></div>` shows;
/// * `b`/`strong` → `**bold**`, `i`/`em` → `*italic*`, `s`/`del` → `~~struck~~`, `u` → its
///   text; `a href` → `[text](href)`, or the bare address when the text is the address (or
///   `mailto:` it); `img` → its `alt` text; table cells on a row → `cell | cell`;
/// * entities (`&amp;`, `&nbsp;`, `&#39;`, `&#x2019;`, `&eacute;`, …) decoded;
/// * `head`, `style`, `script`, `title`, comments (Outlook's conditional ones too) and the like
///   dropped with their content;
/// * whitespace collapsed as a browser collapses it (a non-breaking space counts as one).
///
/// Markdown's own characters in the text (`*`, `_`, `[`, `` ` ``, a `#` or `-` starting a line,
/// `<` before a letter, …) are escaped with `\`, so the result reads back as the same text; it
/// contains no HTML tag, so converting it again changes nothing.
pub fn html_to_markdown(input: &str) -> Cow<'_, str> {
    if !looks_like_html(input) {
        return Cow::Borrowed(input);
    }
    let mut w = Writer::new(input.len());
    convert(input, &mut w);
    Cow::Owned(w.finish())
}

/// Whether `s` holds an HTML tag of [`KNOWN_TAGS`] (start or end), a comment or a doctype. A
/// `<` escaped as `\<` (as [`html_to_markdown`] writes it) is not one.
fn looks_like_html(s: &str) -> bool {
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(off) = s[from..].find('<') {
        let lt = from + off;
        from = lt + 1;
        if lt > 0 && b[lt - 1] == b'\\' {
            continue;
        }
        let rest = &s[lt + 1..];
        if rest.starts_with("!--") || starts_with_ignore_case(rest, "!doctype") {
            return true;
        }
        let rest = rest.strip_prefix('/').unwrap_or(rest);
        let name_len = tag_name_len(rest);
        if name_len == 0 {
            continue;
        }
        let name = rest[..name_len].to_ascii_lowercase();
        if KNOWN_TAGS.contains(&name.as_str()) {
            return true;
        }
    }
    false
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// Length of the tag name at the start of `s` (ASCII letter, then letters, digits, `-`, `_`,
/// `:`), when it is followed by whitespace, `/` or `>`; 0 otherwise.
fn tag_name_len(s: &str) -> usize {
    let b = s.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_alphabetic) {
        return 0;
    }
    let len = b
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b':')))
        .unwrap_or(b.len());
    match b.get(len) {
        Some(c) if c.is_ascii_whitespace() || *c == b'/' || *c == b'>' => len,
        _ => 0,
    }
}

/// One piece of markup.
enum Markup {
    /// Comment, doctype, CDATA, processing instruction: nothing to show.
    Ignored,
    Start {
        name: String,
        attrs: Vec<(String, String)>,
    },
    End {
        name: String,
    },
}

/// The markup starting at `lt` (a `<`) and the index just after it, or `None` when this `<` is
/// text (`a < b`, `<3`, `<annie@contoso.com>`, an unfinished tag at the end).
fn parse_markup(s: &str, lt: usize, last_gt: Option<usize>) -> Option<(Markup, usize)> {
    let rest = &s[lt..];
    let after = |needle: &str, from: usize| {
        s[from..]
            .find(needle)
            .map_or(s.len(), |i| from + i + needle.len())
    };
    if rest.starts_with("<!--") {
        // `<!-->` and `<!--->` end at once, as in browsers.
        return Some((Markup::Ignored, after("-->", lt + 2)));
    }
    if rest.starts_with("<![CDATA[") {
        return Some((Markup::Ignored, after("]]>", lt + 9)));
    }
    if rest.starts_with("<!") || rest.starts_with("<?") {
        return Some((Markup::Ignored, after(">", lt + 2)));
    }
    // No `>` after this `<`: no tag can end, so this is text (found without a search per `<`).
    if last_gt.is_none_or(|gt| gt < lt) {
        return None;
    }
    if let Some(end_tag) = rest.strip_prefix("</") {
        let len = tag_name_len(end_tag);
        if len == 0 {
            return None;
        }
        let name = end_tag[..len].to_ascii_lowercase();
        let close = s[lt + 2 + len..].find('>')? + lt + 2 + len;
        return Some((Markup::End { name }, close + 1));
    }
    let len = tag_name_len(&rest[1..]);
    if len == 0 {
        return None;
    }
    let name = rest[1..1 + len].to_ascii_lowercase();
    let b = s.as_bytes();
    let mut i = lt + 1 + len;
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        match b.get(i) {
            None => return None,
            Some(b'>') => return Some((Markup::Start { name, attrs }, i + 1)),
            _ => {}
        }
        let start = i;
        while i < b.len() && !(b[i].is_ascii_whitespace() || matches!(b[i], b'=' | b'>' | b'/')) {
            i += 1;
        }
        // A lone '=' where a name should be: skip it.
        if i == start {
            i += 1;
            continue;
        }
        let attr = s[start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if b.get(i) == Some(&b'=') {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            match b.get(i) {
                Some(&q) if q == b'"' || q == b'\'' => {
                    // An attribute value left open swallows the rest, as in a browser (and each
                    // later `<` is not searched to the end again).
                    let Some(close) = s[i + 1..].find(char::from(q)).map(|c| c + i + 1) else {
                        return Some((Markup::Ignored, s.len()));
                    };
                    value = s[i + 1..close].to_string();
                    i = close + 1;
                }
                _ => {
                    let v = i;
                    while i < b.len() && !(b[i].is_ascii_whitespace() || b[i] == b'>') {
                        i += 1;
                    }
                    value = s[v..i].to_string();
                }
            }
        }
        attrs.push((attr, value));
    }
}

/// Tokenize `s` and drive the writer.
fn convert(s: &str, w: &mut Writer) {
    let lower = s.to_ascii_lowercase();
    let last_gt = s.rfind('>');
    let mut head_searched = false;
    let mut from = 0;
    let mut text_start = 0;
    while let Some(off) = s[from..].find('<') {
        let lt = from + off;
        let Some((markup, end)) = parse_markup(s, lt, last_gt) else {
            from = lt + 1;
            continue;
        };
        w.text(&s[text_start..lt]);
        let mut next = end;
        match markup {
            Markup::Ignored => {}
            Markup::End { name } => w.end(&name),
            Markup::Start { name, attrs } => {
                if name == "head" && !head_searched {
                    head_searched = true;
                    // To `</head>`, or to `<body>` when the head is left open.
                    let close = lower[end..].find("</head").map(|i| end + i);
                    let body = lower[end..].find("<body").map(|i| end + i);
                    next = match (close, body) {
                        (Some(c), Some(b)) if b < c => b,
                        (Some(c), _) => lower[c..].find('>').map_or(s.len(), |i| c + i + 1),
                        (None, Some(b)) => b,
                        (None, None) => end,
                    };
                } else if DROPPED.contains(&name.as_str()) {
                    let close = format!("</{name}");
                    next = match lower[end..].find(&close) {
                        Some(i) => lower[end + i..]
                            .find('>')
                            .map_or(s.len(), |j| end + i + j + 1),
                        None => s.len(),
                    };
                } else {
                    w.start(&name, &attrs);
                }
            }
        }
        from = next;
        text_start = next;
    }
    w.text(&s[text_start..]);
    w.end_all();
}

/// `s` with its character references decoded.
fn decode_entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let semi = rest[1..]
            .char_indices()
            .take(33)
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '#'))
            .filter(|(_, c)| *c == ';')
            .map(|(i, _)| i + 1);
        let decoded = semi.and_then(|semi| {
            let name = &rest[1..semi];
            let text = if let Some(num) = name.strip_prefix('#') {
                let n = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse::<u32>().ok(),
                }?;
                let n = match n {
                    0x80..=0x9F => CP1252[(n - 0x80) as usize],
                    n => n,
                };
                let c = char::from_u32(n)
                    .filter(|&c| c != '\0')
                    .unwrap_or('\u{FFFD}');
                Cow::Owned(c.to_string())
            } else {
                Cow::Borrowed(ENTITIES.iter().find(|(n, _)| *n == name)?.1)
            };
            Some((text, semi + 1))
        });
        match decoded {
            Some((text, len)) => {
                out.push_str(&text);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// A pending line break, weakest first; two requests keep the stronger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Break {
    None,
    /// A newline that Markdown reads as one already (between list items).
    Soft,
    /// A hard line break inside a paragraph (`  \n`).
    Line,
    /// An empty line: a new paragraph.
    Blank,
}

enum Container {
    Quote,
    List {
        ordered: bool,
        next: u32,
        /// Width of the current item's marker: its continuation lines are indented by it.
        width: usize,
    },
}

/// An inline mark (`**`, `*`, `~~`) that is open; `written` once its opening is in the output.
/// Marks are closed before each line break and opened again after it, so one never spans lines.
struct Mark {
    text: &'static str,
    written: bool,
}

/// A link being written: its target, and where its text starts in the output.
struct Link {
    href: String,
    start: usize,
}

/// Builds the Markdown: text is written lazily, so breaks, spaces and marks requested before it
/// are merged and written only when some text follows.
struct Writer {
    out: String,
    /// The current line has text (beyond its prefix).
    line_has_text: bool,
    /// Nothing but the prefix was written on this line yet (for escaping `#`, `-`, `1.`, `>`).
    at_line_start: bool,
    pending: Break,
    pending_space: bool,
    /// A `br` was the last thing seen: another one makes an empty line.
    after_br: bool,
    containers: Vec<Container>,
    /// How many containers the last written line was in: an empty line keeps only their `>`.
    text_depth: usize,
    /// The current list item's marker, until its first line is written.
    marker: Option<String>,
    /// Heading level and whether its `#`s are written.
    heading: Option<(usize, bool)>,
    marks: Vec<Mark>,
    bold: usize,
    italic: usize,
    strike: usize,
    links: Vec<Option<Link>>,
    pre: usize,
    /// Table cell separator due before the next text on this row.
    cell_pending: bool,
    row_has_text: bool,
}

impl Writer {
    fn new(capacity: usize) -> Writer {
        Writer {
            out: String::with_capacity(capacity),
            line_has_text: false,
            at_line_start: false,
            pending: Break::None,
            pending_space: false,
            after_br: false,
            containers: Vec::new(),
            text_depth: 0,
            marker: None,
            heading: None,
            marks: Vec::new(),
            bold: 0,
            italic: 0,
            strike: 0,
            links: Vec::new(),
            pre: 0,
            cell_pending: false,
            row_has_text: false,
        }
    }

    fn in_list(&self) -> bool {
        self.containers
            .iter()
            .any(|c| matches!(c, Container::List { .. }))
    }

    /// Ask for a line break before the next text.
    fn request(&mut self, b: Break) {
        if self.heading.is_some() {
            // A heading is one line.
            self.space();
            return;
        }
        // Paragraphs inside a list item are lines of the item, not a loose list.
        let b = if b == Break::Blank && self.in_list() {
            Break::Line
        } else {
            b
        };
        self.pending = self.pending.max(b);
        self.pending_space = false;
        self.after_br = false;
    }

    fn space(&mut self) {
        if self.line_has_text && self.pending == Break::None {
            self.pending_space = true;
        }
    }

    fn br(&mut self) {
        if self.heading.is_some() {
            self.space();
        } else if self.pre > 0 || !self.after_br && self.pending < Break::Line {
            self.request(Break::Line);
        } else if self.line_has_text || self.pending > Break::None {
            // A second `br`, or one on a line of its own: an empty line.
            self.request(Break::Blank);
        }
        self.after_br = true;
    }

    /// Write what is pending before text: the line break and the next line's prefix, or the
    /// space or cell separator, then the open marks.
    fn start_inline(&mut self) {
        self.after_br = false;
        if self.pending > Break::None && !self.out.is_empty() {
            self.close_marks();
            match self.pending {
                Break::Blank => {
                    self.out.push('\n');
                    let depth = self.text_depth.min(self.containers.len());
                    let mut blank = String::new();
                    for c in &self.containers[..depth] {
                        if matches!(c, Container::Quote) {
                            blank.push_str("> ");
                        }
                    }
                    self.out.push_str(blank.trim_end());
                    self.out.push('\n');
                }
                Break::Line if self.marker.is_none() => self.out.push_str("  \n"),
                _ => self.out.push('\n'),
            }
            self.line_has_text = false;
        }
        self.pending = Break::None;
        if !self.line_has_text {
            self.write_prefix();
            self.line_has_text = true;
            self.at_line_start = true;
            self.cell_pending = false;
        } else if self.cell_pending {
            self.out.push_str(" | ");
            self.at_line_start = false;
        } else if self.pending_space {
            self.out.push(' ');
            self.at_line_start = false;
        }
        self.pending_space = false;
        self.cell_pending = false;
        for m in &mut self.marks {
            if !m.written {
                self.out.push_str(m.text);
                m.written = true;
            }
        }
        self.row_has_text = true;
        self.text_depth = self.containers.len();
    }

    fn write_prefix(&mut self) {
        let last_list = self
            .containers
            .iter()
            .rposition(|c| matches!(c, Container::List { .. }));
        for (i, c) in self.containers.iter().enumerate() {
            match c {
                Container::Quote => self.out.push_str("> "),
                Container::List { width, .. } => match self.marker.take() {
                    Some(m) if Some(i) == last_list => self.out.push_str(&m),
                    other => {
                        self.marker = other;
                        self.out.extend(std::iter::repeat_n(' ', *width));
                    }
                },
            }
        }
        // An item outside any list.
        if let Some(m) = self.marker.take() {
            self.out.push_str(&m);
        }
        if let Some((level, written @ false)) = &mut self.heading {
            self.out.extend(std::iter::repeat_n('#', *level));
            self.out.push(' ');
            *written = true;
        }
    }

    fn close_marks(&mut self) {
        for m in self.marks.iter_mut().rev() {
            if m.written {
                self.out.push_str(m.text);
                m.written = false;
            }
        }
    }

    fn open_mark(&mut self, text: &'static str) {
        self.marks.push(Mark {
            text,
            written: false,
        });
    }

    fn close_mark(&mut self, text: &'static str) {
        if let Some(i) = self.marks.iter().rposition(|m| m.text == text) {
            let m = self.marks.remove(i);
            if m.written {
                self.out.push_str(m.text);
            }
        }
    }

    /// Text between tags, entities not yet decoded.
    fn text(&mut self, raw: &str) {
        if raw.is_empty() {
            return;
        }
        let decoded = decode_entities(raw);
        if self.pre > 0 {
            for (i, line) in decoded.split('\n').enumerate() {
                if i > 0 {
                    self.request(Break::Line);
                }
                self.words(line);
            }
        } else {
            self.words(&decoded);
        }
    }

    fn words(&mut self, s: &str) {
        if s.starts_with(char::is_whitespace) {
            self.space();
        }
        let mut words = s.split_whitespace().peekable();
        while let Some(w) = words.next() {
            self.word(w);
            if words.peek().is_some() {
                self.space();
            }
        }
        if s.ends_with(char::is_whitespace) && !s.trim().is_empty() {
            self.space();
        }
    }

    /// One word of text (no whitespace in it), escaped.
    fn word(&mut self, w: &str) {
        self.start_inline();
        let at_start = std::mem::replace(&mut self.at_line_start, false);
        let chars: Vec<char> = w.chars().collect();
        let first = chars[0];
        // What would start a block at the start of a line.
        let block_start = at_start
            && (first == '>'
                || (matches!(first, '#' | '-' | '+' | '=') && chars.iter().all(|&c| c == first))
                || (chars.len() >= 2
                    && matches!(chars[chars.len() - 1], '.' | ')')
                    && chars[..chars.len() - 1].iter().all(char::is_ascii_digit)));
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1).copied();
            let escape = match c {
                '\\' | '*' | '`' | '[' | ']' => true,
                '_' => {
                    !prev.is_some_and(char::is_alphanumeric)
                        || !next.is_some_and(char::is_alphanumeric)
                }
                '<' => next.is_some_and(|n| n.is_ascii_alphabetic() || n == '/' || n == '!'),
                '.' | ')' => block_start && i == chars.len() - 1,
                _ => block_start && i == 0 && !first.is_ascii_digit(),
            };
            if escape {
                self.out.push('\\');
            }
            self.out.push(c);
        }
    }

    /// Markup that is not text: written as it is (`---`, a link's target).
    fn raw(&mut self, s: &str) {
        self.start_inline();
        self.at_line_start = false;
        self.out.push_str(s);
    }

    fn start(&mut self, name: &str, attrs: &[(String, String)]) {
        let attr = |n: &str| {
            attrs
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| decode_entities(v).trim().to_string())
        };
        match name {
            "br" => return self.br(),
            "p" => self.request(Break::Blank),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                self.request(Break::Blank);
                let level = usize::from(name.as_bytes()[1] - b'0');
                self.heading = Some((level, false));
            }
            "ul" | "ol" => {
                self.request(if self.in_list() {
                    Break::Soft
                } else {
                    Break::Blank
                });
                let next = attr("start")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(1)
                    .min(999_999_999);
                self.containers.push(Container::List {
                    ordered: name == "ol",
                    next,
                    width: 0,
                });
            }
            "li" => {
                self.request(Break::Soft);
                let list = self.containers.iter_mut().rev().find_map(|c| match c {
                    Container::List {
                        ordered,
                        next,
                        width,
                    } => Some((ordered, next, width)),
                    Container::Quote => None,
                });
                let marker = match list {
                    Some((true, next, width)) => {
                        let m = format!("{next}. ");
                        *next += 1;
                        *width = m.len();
                        m
                    }
                    Some((false, _, width)) => {
                        *width = 2;
                        "- ".to_string()
                    }
                    None => "- ".to_string(),
                };
                self.marker = Some(marker);
            }
            "blockquote" => {
                self.request(Break::Blank);
                self.containers.push(Container::Quote);
            }
            "pre" => {
                self.request(Break::Blank);
                self.pre += 1;
            }
            "hr" => {
                self.request(Break::Blank);
                self.raw("---");
                self.request(Break::Blank);
            }
            "b" | "strong" => {
                self.bold += 1;
                if self.bold == 1 {
                    self.open_mark("**");
                }
            }
            "i" | "em" => {
                self.italic += 1;
                if self.italic == 1 {
                    self.open_mark("*");
                }
            }
            "s" | "strike" | "del" => {
                self.strike += 1;
                if self.strike == 1 {
                    self.open_mark("~~");
                }
            }
            "a" => {
                let href = attr("href").filter(|h| {
                    !h.is_empty()
                        && !h.starts_with('#')
                        && !starts_with_ignore_case(h, "javascript:")
                });
                let link = href.map(|href| {
                    self.start_inline();
                    self.at_line_start = false;
                    Link {
                        href,
                        start: self.out.len(),
                    }
                });
                self.links.push(link);
            }
            "img" => {
                if let Some(alt) = attr("alt").filter(|a| !a.is_empty()) {
                    self.words(&alt);
                }
            }
            "tr" => {
                self.request(Break::Line);
                self.row_has_text = false;
                self.cell_pending = false;
            }
            "td" | "th" if self.row_has_text && self.pending == Break::None => {
                self.cell_pending = true;
            }
            _ if LINE_BLOCKS.contains(&name) => self.request(Break::Line),
            _ => {}
        }
        self.after_br = false;
    }

    fn end(&mut self, name: &str) {
        match name {
            "p" => self.request(Break::Blank),
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                self.heading = None;
                self.request(Break::Blank);
            }
            "ul" | "ol" => {
                if let Some(i) = self
                    .containers
                    .iter()
                    .rposition(|c| matches!(c, Container::List { .. }))
                {
                    self.containers.truncate(i);
                    self.marker = None;
                    self.request(if self.in_list() {
                        Break::Soft
                    } else {
                        Break::Blank
                    });
                }
            }
            "li" => {
                self.marker = None;
                self.request(Break::Soft);
            }
            "blockquote" => {
                if let Some(i) = self
                    .containers
                    .iter()
                    .rposition(|c| matches!(c, Container::Quote))
                {
                    self.containers.truncate(i);
                    self.request(Break::Blank);
                }
            }
            "pre" if self.pre > 0 => {
                self.pre -= 1;
                self.request(Break::Blank);
            }
            "b" | "strong" if self.bold > 0 => {
                self.bold -= 1;
                if self.bold == 0 {
                    self.close_mark("**");
                }
            }
            "i" | "em" if self.italic > 0 => {
                self.italic -= 1;
                if self.italic == 0 {
                    self.close_mark("*");
                }
            }
            "s" | "strike" | "del" if self.strike > 0 => {
                self.strike -= 1;
                if self.strike == 0 {
                    self.close_mark("~~");
                }
            }
            "a" => {
                if let Some(Some(link)) = self.links.pop() {
                    self.end_link(link);
                }
            }
            "tr" => self.request(Break::Line),
            _ if LINE_BLOCKS.contains(&name) => self.request(Break::Line),
            _ => {}
        }
        self.after_br = false;
    }

    fn end_link(&mut self, link: Link) {
        let Link { href, start } = link;
        let start = start.min(self.out.len());
        let text = self.out[start..].to_string();
        let plain: String = text.chars().filter(|&c| c != '\\').collect();
        let plain = plain.trim();
        let target: String = href
            .chars()
            .flat_map(|c| match c {
                ' ' => "%20".chars().collect::<Vec<_>>(),
                '(' => "%28".chars().collect(),
                ')' => "%29".chars().collect(),
                '<' => "%3C".chars().collect(),
                '>' => "%3E".chars().collect(),
                c => vec![c],
            })
            .collect();
        if plain.is_empty() {
            // An image-only or empty link: its address, so it is not lost.
            self.out.truncate(start);
            self.raw(&target);
            return;
        }
        let same = |scheme: &str| {
            href.get(..scheme.len())
                .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
                && href[scheme.len()..].eq_ignore_ascii_case(plain)
        };
        if href.eq_ignore_ascii_case(plain) || same("mailto:") || same("tel:") {
            return;
        }
        self.out.insert(start, '[');
        self.out.push_str("](");
        self.out.push_str(&target);
        self.out.push(')');
    }

    /// Close what is still open at the end of the input.
    fn end_all(&mut self) {
        while let Some(link) = self.links.pop() {
            if let Some(link) = link {
                self.end_link(link);
            }
        }
        self.close_marks();
    }

    /// The Markdown: no empty line at the ends, no more than one in a row, no trailing spaces
    /// on lines a hard break does not need them on.
    fn finish(self) -> String {
        let mut out = String::with_capacity(self.out.len());
        let lines: Vec<&str> = self.out.lines().collect();
        // True at the start too: no empty line there.
        let mut after_blank = true;
        for (i, line) in lines.iter().enumerate() {
            if line.trim().is_empty() {
                if !after_blank {
                    out.push('\n');
                }
                after_blank = true;
                continue;
            }
            after_blank = false;
            let next_blank = lines.get(i + 1).is_none_or(|l| l.trim().is_empty());
            out.push_str(if next_blank { line.trim_end() } else { line });
            out.push('\n');
        }
        out.truncate(out.trim_end().len());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_untouched() {
        let cases: &[&str] = &[
            "",
            "Call back on Monday",
            "  spaces   kept \n\n and lines\r\n",
            "Tom &amp; Jerry &nbsp; AT&T",
            "a < b and c > d, <3",
            "Annie Smith <annie@contoso.com> wrote:",
            "*already* _markdown_ # here",
            "x<y or <unknown-tag> or <annie@x.io>",
            "escaped \\<p> stays",
        ];
        for input in cases {
            assert!(
                matches!(html_to_markdown(input), Cow::Borrowed(s) if s == *input),
                "html_to_markdown({input:?}) = {:?}",
                html_to_markdown(input)
            );
        }
    }

    #[test]
    fn converted() {
        let cases: &[(&str, &str)] = &[
            // Paragraphs, whitespace, entities.
            ("<p>Hello</p>", "Hello"),
            (
                "<p>Hello&nbsp;world</p><p>Second   para\n with\tspaces</p>",
                "Hello world\n\nSecond para with spaces",
            ),
            ("<p>a<p>b", "a\n\nb"),
            ("<P ALIGN=center>Upper</P>", "Upper"),
            (
                "<p>Tom &amp; Jerry&#39;s &lt;3 &quot;q&quot; &#x2019; &eacute;t&eacute; &#150; &unknown; AT&T &copy;</p>",
                "Tom & Jerry's <3 \"q\" ’ été – &unknown; AT&T ©",
            ),
            (
                "<p>&#0; &#xD800; &#99999999;</p>",
                "\u{FFFD} \u{FFFD} \u{FFFD}",
            ),
            // Line breaks: br, divs (Gmail, Outlook), an empty line of its own.
            ("Line1<br>Line2<br/><br />Line3", "Line1  \nLine2\n\nLine3"),
            (
                "<div>a</div><div><br></div><div>b</div><div>c</div>",
                "a\n\nb  \nc",
            ),
            ("<div>a<br></div><div>b</div>", "a  \nb"),
            ("<br><br>a<br>", "a"),
            // Inline marks.
            (
                "<b>bold</b> and <strong> strong </strong>, <i>it</i> <em>em</em> <u>under</u> <s>gone</s>",
                "**bold** and **strong** , *it* *em* under ~~gone~~",
            ),
            ("<b><strong>twice</strong></b>", "**twice**"),
            ("<b><i>both</i></b>", "***both***"),
            ("<b></b>empty<i> </i>marks", "empty marks"),
            ("<div><b>A<br>B</b></div>", "**A**  \n**B**"),
            ("<p>unclosed <b>bold", "unclosed **bold**"),
            ("x</b></i></ul></blockquote></a>y", "xy"),
            // Links.
            (
                "<a href=\"https://acme.com/x?a=1&amp;b=2\">Acme site</a>",
                "[Acme site](https://acme.com/x?a=1&b=2)",
            ),
            (
                "<a href=\"mailto:ada@acme.com\">ada@acme.com</a>",
                "ada@acme.com",
            ),
            ("<a href='https://x.io'>https://x.io</a>", "https://x.io"),
            ("<a href=tel:+3312345>+3312345</a>", "+3312345"),
            (
                "see <a href=\"https://x.io/a b(c)\"><b>here</b></a>.",
                "see [**here**](https://x.io/a%20b%28c%29).",
            ),
            (
                "<p><a href=\"https://x.com\"><img src=a.png></a></p>",
                "https://x.com",
            ),
            (
                "<a name=top></a><a href=\"#top\">Top</a> <a href=\"javascript:x()\">Run</a>",
                "Top Run",
            ),
            // Lists.
            (
                "<ul><li>one</li><li>two<ul><li>nested</li></ul></li><li>three</li></ul><p>after</p>",
                "- one\n- two\n  - nested\n- three\n\nafter",
            ),
            (
                "<ol start=9><li>i</li><li><p>j</p><p>j2</p></li></ol>",
                "9. i\n10. j  \n    j2",
            ),
            ("<p>intro</p><ol><li>a<li>b</ol>", "intro\n\n1. a\n2. b"),
            ("<li>stray</li>", "- stray"),
            // Headings, quotes, rules, preformatted text.
            (
                "<h1>Title</h1><h2>Sub <b>bold</b><br>more</h2><p>text</p>",
                "# Title\n\n## Sub **bold** more\n\ntext",
            ),
            (
                "<p>before</p><blockquote><p>q1</p><p>q2</p><blockquote>deeper</blockquote></blockquote><p>after</p>",
                "before\n\n> q1\n>\n> q2\n>\n> > deeper\n\nafter",
            ),
            ("<p>a</p><hr><p>b</p>", "a\n\n---\n\nb"),
            ("<pre>line1\n  line2</pre>", "line1  \nline2"),
            // Tables: rows as lines, cells separated.
            (
                "<table><tr><th>Name</th><th>Value</th></tr><tr><td>A</td><td></td><td>1</td></tr></table>",
                "Name | Value  \nA | 1",
            ),
            // Images: the alt text.
            (
                "<img src=x.png alt=\"Acme logo\"> text <img src=pixel.gif>",
                "Acme logo text",
            ),
            // Dropped: head, style, script, comments, Outlook's conditional XML.
            (
                "<html><head><title>T</title><style>p{color:red}</style></head><body><!-- c --><p>Body</p><script>if (a<b) x()</script></body></html>",
                "Body",
            ),
            (
                "<html><head><meta charset=utf-8><body><p>No closing head</p></body></html>",
                "No closing head",
            ),
            (
                "<!--[if gte mso 9]><xml><o:OfficeDocumentSettings></o:OfficeDocumentSettings></xml><![endif]--><p class=MsoNormal>Hi<o:p></o:p></p>",
                "Hi",
            ),
            ("<!DOCTYPE html><p>x</p><![CDATA[ y ]]>", "x"),
            // Markdown in the text is escaped, so it reads back as the same text.
            (
                "<p>1. not a list</p><p># not heading</p><p>- not item</p><p>&gt; not quote</p>",
                "1\\. not a list\n\n\\# not heading\n\n\\- not item\n\n\\> not quote",
            ),
            (
                "<p>*stars* _under_ snake_case [x] `tick` back\\slash 5 * 3 #tag</p>",
                "\\*stars\\* \\_under\\_ snake_case \\[x\\] \\`tick\\` back\\\\slash 5 \\* 3 #tag",
            ),
            (
                "<p>Annie &lt;annie@contoso.com&gt; wrote &lt;/p&gt; a &lt; b</p>",
                "Annie \\<annie@contoso.com> wrote \\</p> a < b",
            ),
            // Broken markup.
            ("<p>a <b", "a \\<b"),
            (
                "<p title=\"x>y\">quoted > in attribute</p>",
                "quoted > in attribute",
            ),
            ("<p>a</p><p></p><p>&nbsp;</p><p>b</p>", "a\n\nb"),
        ];
        for (input, want) in cases {
            let got = html_to_markdown(input);
            assert_eq!(got, *want, "html_to_markdown({input:?})");
            assert_eq!(html_to_markdown(&got), got, "idempotent on {input:?}");
        }
    }

    #[test]
    fn crm_bodies() {
        // A HubSpot email body, an Outlook reply and a Salesforce rich-text note, trimmed.
        let hubspot = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\
            <style type=\"text/css\">body { font-family: Arial; }</style></head><body>\
            <div>Hi Annie,</div><div><br></div><div>Thanks for the call today. As discussed:</div>\
            <ul><li>Pricing for <b>50 seats</b></li><li>Onboarding in <i>March</i></li></ul>\
            <div>Best,<br>Bob<br><a href=\"https://acme.com\">acme.com</a></div>\
            <img src=\"https://track.hubspot.com/pixel.gif\" width=\"1\" height=\"1\"></body></html>";
        assert_eq!(
            html_to_markdown(hubspot),
            "Hi Annie,\n\nThanks for the call today. As discussed:\n\n\
             - Pricing for **50 seats**\n- Onboarding in *March*\n\n\
             Best,  \nBob  \n[acme.com](https://acme.com)"
        );
        let outlook = "<div class=WordSection1><p class=MsoNormal>Sounds good.<o:p></o:p></p>\
            <p class=MsoNormal><o:p>&nbsp;</o:p></p><div style='border:none;border-top:solid #E1E1E1 1.0pt'>\
            <p class=MsoNormal><b>From:</b> Annie Smith &lt;annie@contoso.com&gt;<br><b>Sent:</b> Monday</p></div>\
            <blockquote style='margin-left:30pt'><p class=MsoNormal>Can we meet?</p></blockquote></div>";
        assert_eq!(
            html_to_markdown(outlook),
            "Sounds good.\n\n**From:** Annie Smith \\<annie@contoso.com>  \n**Sent:** Monday\n\n> Can we meet?"
        );
        let salesforce = "<p>Meeting notes&#58;</p><ol><li>Budget&nbsp;approved</li><li>Next step&#58; demo</li></ol><p><br></p>";
        assert_eq!(
            html_to_markdown(salesforce),
            "Meeting notes:\n\n1. Budget approved\n2. Next step: demo"
        );
    }

    #[test]
    fn detection() {
        let cases: &[(&str, bool)] = &[
            ("<p>x", true),
            ("x</p>", true),
            ("a<br/>b", true),
            ("<BR>", true),
            ("<!-- note -->", true),
            ("<!doctype html>", true),
            ("<o:p></o:p>", true),
            ("<div class=x>", true),
            ("<annie@x.io>", false),
            ("<3", false),
            ("a<b", false),
            ("<bold>", false),
            ("\\<p>", false),
            ("<", false),
            ("", false),
        ];
        for (input, want) in cases {
            assert_eq!(looks_like_html(input), *want, "looks_like_html({input:?})");
        }
    }

    #[test]
    fn pathological_input_stays_linear() {
        // Each would take minutes if every `<` searched the rest of the input again.
        for piece in [
            "<a x='",
            "<p ",
            "</a",
            "<",
            "<head>",
            "<a href=x>",
            "<b>",
            "<!",
            "&amp",
        ] {
            let input = format!("<p>{}</p>", piece.repeat(40_000));
            let start = std::time::Instant::now();
            let _ = html_to_markdown(&input);
            assert!(
                start.elapsed().as_secs() < 5,
                "{piece:?}: {:?}",
                start.elapsed()
            );
        }
    }

    proptest::proptest! {
        /// Any input: no panic, no tag left, and the result is plain text for the converter.
        #[test]
        fn converts_anything(s in "(<(/?(p|b|i|a|br|div|ul|ol|li|h2|blockquote|td|tr|img|pre|hr|head|style|x)( href=\"?[a-z:/.#]{0,8}\"?| alt='[a-z *_]{0,5}'| start=[0-9]{1,3})?/?>|&(amp|lt|nbsp|#39|#x41|bogus);?|<!--|-->|[ \\n\\ta-z0-9*_#>\\[\\]`\\\\.<-]{1,6}|é)){0,30}") {
            let md = html_to_markdown(&s);
            proptest::prop_assert!(!looks_like_html(&md), "{:?} -> {:?}", s, md);
            proptest::prop_assert_eq!(html_to_markdown(&md), md.clone());
            if looks_like_html(&s) {
                proptest::prop_assert_eq!(md.trim(), md.as_ref());
            } else {
                proptest::prop_assert_eq!(md.as_ref(), s.as_str());
            }
        }

        #[test]
        fn never_panics(s in any::<String>()) {
            let _ = html_to_markdown(&s);
        }
    }

    use proptest::prelude::any;
}
