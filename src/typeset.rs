//! Downloadable documents as PDF: A4 pages laid out from a few kinds of block (title, headings,
//! paragraphs, label–value fields, key figures, tables that break across pages with their header
//! repeated), set in a CJK font from the distribution's packages (fonts-noto-cjk), embedded as a
//! subset of the glyphs used so a report weighs tens of kilobytes, not the font's twenty megabytes.

use std::sync::{Arc, OnceLock};

use krilla::Document;
use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use skrifa::instance::{LocationRef, Size};
use skrifa::raw::FileRef;
use skrifa::{FontRef, MetadataProvider, string::StringId};

/// Where Debian's packages put CJK fonts, best first; `ZHIANBAO_PDF_FONT` names another file.
const FONTS: [&str; 4] = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
];

const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const MARGIN_X: f32 = 50.0;
const TOP: f32 = 64.0;
const BOTTOM: f32 = PAGE_HEIGHT - 60.0;
const BODY: f32 = 10.0;
const LEADING: f32 = 1.45;
const CELL_PAD: f32 = 4.0;

#[derive(Debug, thiserror::Error)]
pub enum TypesetError {
    #[error("no CJK font installed (install Debian's fonts-noto-cjk or set ZHIANBAO_PDF_FONT)")]
    NoFont,
    #[error("pdf: {0}")]
    Pdf(String),
}

/// One face of a font file: the file's bytes (shared) and the face's index in a collection.
struct Face {
    data: Arc<Vec<u8>>,
    index: u32,
}

impl Face {
    /// The file's Simplified Chinese face if it is a collection (Noto CJK holds JP, KR, SC, TC, HK).
    fn load(path: &str) -> Option<Face> {
        let data = std::fs::read(path).ok()?;
        let count = match FileRef::new(&data).ok()? {
            FileRef::Font(_) => 1,
            FileRef::Collection(c) => c.len(),
        };
        let index = (0..count)
            .find(|&i| {
                FontRef::from_index(&data, i).is_ok_and(|f| {
                    f.localized_strings(StringId::FAMILY_NAME)
                        .english_or_first()
                        .is_some_and(|name| name.to_string().ends_with(" SC"))
                })
            })
            .unwrap_or(0);
        FontRef::from_index(&data, index).ok()?;
        Some(Face {
            data: Arc::new(data),
            index,
        })
    }

    fn font(&self) -> Result<Font, TypesetError> {
        Font::new(self.data.clone().into(), self.index)
            .ok_or_else(|| TypesetError::Pdf("unreadable font".into()))
    }

    /// Width of `text` at `size` points, from the font's advances.
    fn width(&self, text: &str, size: f32) -> f32 {
        let Ok(font) = FontRef::from_index(&self.data, self.index) else {
            return 0.0;
        };
        let charmap = font.charmap();
        let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| {
                metrics
                    .advance_width(charmap.map(c).unwrap_or_default())
                    .unwrap_or(size)
            })
            .sum()
    }
}

/// The font, read once on the first document (not at start-up: most servers never print) and
/// kept: one face of ≈ 20 MB, so headings are set larger and darker rather than in a bold face.
fn face() -> Result<&'static Face, TypesetError> {
    static FACE: OnceLock<Option<Face>> = OnceLock::new();
    FACE.get_or_init(|| {
        let configured = std::env::var("ZHIANBAO_PDF_FONT").ok();
        configured
            .iter()
            .map(String::as_str)
            .chain(FONTS)
            .find_map(Face::load)
    })
    .as_ref()
    .ok_or(TypesetError::NoFont)
}

/// How a table column is set: its share of the line's width and whether it holds numbers.
pub struct Column {
    pub title: String,
    pub weight: f32,
    pub numeric: bool,
}

impl Column {
    pub fn text(title: &str, weight: f32) -> Column {
        Column {
            title: title.to_owned(),
            weight,
            numeric: false,
        }
    }

    pub fn number(title: &str, weight: f32) -> Column {
        Column {
            title: title.to_owned(),
            weight,
            numeric: true,
        }
    }
}

enum Block {
    Title(String),
    Subtitle(String),
    Heading(String),
    Paragraph(String),
    Fields(Vec<(String, String)>),
    Figures(Vec<(String, String)>),
    Table {
        columns: Vec<Column>,
        rows: Vec<Vec<String>>,
        empty: String,
    },
}

/// A document being composed, block by block, top to bottom.
pub struct Pdf {
    title: String,
    running_head: String,
    footer: String,
    language: String,
    blocks: Vec<Block>,
}

impl Pdf {
    /// `running_head` tops every page; `footer` sits left of the page number at the bottom.
    pub fn new(title: &str, running_head: &str, footer: &str, language: &str) -> Pdf {
        Pdf {
            title: title.to_owned(),
            running_head: running_head.to_owned(),
            footer: footer.to_owned(),
            language: language.to_owned(),
            blocks: vec![Block::Title(title.to_owned())],
        }
    }

    pub fn subtitle(&mut self, text: &str) -> &mut Pdf {
        self.blocks.push(Block::Subtitle(text.to_owned()));
        self
    }

    pub fn heading(&mut self, text: &str) -> &mut Pdf {
        self.blocks.push(Block::Heading(text.to_owned()));
        self
    }

    pub fn paragraph(&mut self, text: &str) -> &mut Pdf {
        self.blocks.push(Block::Paragraph(text.to_owned()));
        self
    }

    /// Label–value lines, labels in a narrow left column.
    pub fn fields(&mut self, pairs: Vec<(String, String)>) -> &mut Pdf {
        self.blocks.push(Block::Fields(pairs));
        self
    }

    /// The numbers a reader needs first, large, in a row of boxes (label, value).
    pub fn figures(&mut self, pairs: Vec<(String, String)>) -> &mut Pdf {
        self.blocks.push(Block::Figures(pairs));
        self
    }

    /// A table; `empty` is printed when there are no rows.
    pub fn table(&mut self, columns: Vec<Column>, rows: Vec<Vec<String>>, empty: &str) -> &mut Pdf {
        self.blocks.push(Block::Table {
            columns,
            rows,
            empty: empty.to_owned(),
        });
        self
    }

    /// Lays the blocks out on pages and writes the PDF (CPU-bound: call off the async workers).
    pub fn render(&self) -> Result<Vec<u8>, TypesetError> {
        let face = face()?;
        let pages = Layout::new(face).run(&self.blocks);
        let font = face.font()?;
        let mut document = Document::new();
        document.set_metadata(
            Metadata::new()
                .title(self.title.clone())
                .language(self.language.clone())
                .creator("zhianbao".to_owned()),
        );
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
            .ok_or_else(|| TypesetError::Pdf("page size".into()))?;
        let total = pages.len();
        for (number, ops) in pages.iter().enumerate() {
            let mut page = document.start_page_with(settings.clone());
            let mut surface = page.surface();
            let furniture = [
                Op::text(MARGIN_X, 36.0, 8.0, 110, &self.running_head),
                Op::rule(MARGIN_X, 42.0, PAGE_WIDTH - MARGIN_X, 42.0, 0.5, 180),
                Op::text(MARGIN_X, PAGE_HEIGHT - 32.0, 8.0, 110, &self.footer),
                Op::text(
                    PAGE_WIDTH - MARGIN_X - 40.0,
                    PAGE_HEIGHT - 32.0,
                    8.0,
                    110,
                    &format!("{} / {}", number + 1, total),
                ),
            ];
            for op in furniture.iter().chain(ops) {
                match op {
                    Op::Text {
                        x,
                        y,
                        size,
                        gray,
                        text,
                    } => {
                        surface.set_fill(Some(gray_fill(*gray)));
                        surface.draw_text(
                            Point::from_xy(*x, *y),
                            font.clone(),
                            *size,
                            text,
                            false,
                            TextDirection::Auto,
                        );
                    }
                    Op::Rule {
                        from,
                        to,
                        width,
                        gray,
                    } => {
                        let mut path = PathBuilder::new();
                        path.move_to(from.0, from.1);
                        path.line_to(to.0, to.1);
                        if let Some(path) = path.finish() {
                            surface.set_fill(None);
                            surface.set_stroke(Some(Stroke {
                                paint: luma::Color::new(*gray).into(),
                                width: *width,
                                ..Stroke::default()
                            }));
                            surface.draw_path(&path);
                            surface.set_stroke(None);
                        }
                    }
                    Op::Shade { rect, gray } => {
                        let mut path = PathBuilder::new();
                        if let Some(rect) = Rect::from_xywh(rect.0, rect.1, rect.2, rect.3) {
                            path.push_rect(rect);
                        }
                        if let Some(path) = path.finish() {
                            surface.set_fill(Some(gray_fill(*gray)));
                            surface.draw_path(&path);
                        }
                    }
                }
            }
            surface.finish();
            page.finish();
        }
        document
            .finish()
            .map_err(|err| TypesetError::Pdf(format!("{err:?}")))
    }
}

fn gray_fill(gray: u8) -> Fill {
    Fill {
        paint: luma::Color::new(gray).into(),
        opacity: NormalizedF32::ONE,
        ..Fill::default()
    }
}

/// What is drawn on a page, positioned (y grows downwards; text at its baseline).
enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        gray: u8,
        text: String,
    },
    Rule {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
        gray: u8,
    },
    Shade {
        rect: (f32, f32, f32, f32),
        gray: u8,
    },
}

impl Op {
    fn text(x: f32, y: f32, size: f32, gray: u8, text: &str) -> Op {
        Op::Text {
            x,
            y,
            size,
            gray,
            text: text.to_owned(),
        }
    }

    fn rule(x1: f32, y1: f32, x2: f32, y2: f32, width: f32, gray: u8) -> Op {
        Op::Rule {
            from: (x1, y1),
            to: (x2, y2),
            width,
            gray,
        }
    }
}

/// Breaks `text` into lines no wider than `width`: between any two CJK characters, at spaces
/// in Latin text, inside a Latin word only when it alone is too wide; newlines always break.
fn wrap(text: &str, width: f32, measure: impl Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for token in tokens(paragraph) {
            let candidate = format!("{line}{token}");
            if line.is_empty() || measure(candidate.trim_end()) <= width {
                line = candidate;
            } else {
                lines.push(line.trim_end().to_owned());
                line = token.trim_start().to_owned();
            }
            // A single token wider than the line is cut character by character.
            while measure(line.trim_end()) > width && line.chars().count() > 1 {
                let mut head = String::new();
                for c in line.chars() {
                    if !head.is_empty() && measure(&format!("{head}{c}")) > width {
                        break;
                    }
                    head.push(c);
                }
                line = line[head.len()..].to_owned();
                lines.push(head);
            }
        }
        lines.push(line.trim_end().to_owned());
    }
    lines
}

/// Latin words stay whole, every other character stands alone; spaces cling to what precedes them.
fn tokens(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut in_word = false;
    for c in text.chars() {
        match out.last_mut() {
            Some(last) if c == ' ' || (in_word && c.is_ascii()) => last.push(c),
            _ => out.push(c.to_string()),
        }
        in_word = c.is_ascii() && c != ' ';
    }
    out
}

/// Places blocks on pages, starting a new page when the next line or table row would not fit.
struct Layout<'a> {
    face: &'a Face,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl<'a> Layout<'a> {
    fn new(face: &'a Face) -> Layout<'a> {
        Layout {
            face,
            pages: vec![Vec::new()],
            y: TOP,
        }
    }

    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn ensure(&mut self, height: f32) -> bool {
        if self.y + height > BOTTOM && self.y > TOP {
            self.pages.push(Vec::new());
            self.y = TOP;
            true
        } else {
            false
        }
    }

    fn lines(&self, text: &str, width: f32, size: f32) -> Vec<String> {
        wrap(text, width, |s| self.face.width(s, size))
    }

    fn text_block(&mut self, text: &str, size: f32, gray: u8, centred: bool) {
        let width = PAGE_WIDTH - 2.0 * MARGIN_X;
        for line in self.lines(text, width, size) {
            let line_height = size * LEADING;
            self.ensure(line_height);
            let x = if centred {
                (PAGE_WIDTH - self.face.width(&line, size)) / 2.0
            } else {
                MARGIN_X
            };
            let y = self.y + size;
            self.ops().push(Op::text(x, y, size, gray, &line));
            self.y += line_height;
        }
    }

    fn run(mut self, blocks: &[Block]) -> Vec<Vec<Op>> {
        for block in blocks {
            match block {
                Block::Title(text) => {
                    self.text_block(text, 18.0, 0, true);
                    self.y += 4.0;
                }
                Block::Subtitle(text) => {
                    self.text_block(text, 9.0, 90, true);
                    self.y += 10.0;
                }
                Block::Heading(text) => {
                    self.y += 8.0;
                    // Keep a heading with at least two lines of what follows.
                    self.ensure(13.0 * LEADING + 3.0 * BODY * LEADING);
                    self.text_block(text, 13.0, 20, false);
                    let y = self.y;
                    self.ops()
                        .push(Op::rule(MARGIN_X, y, PAGE_WIDTH - MARGIN_X, y, 0.8, 60));
                    self.y += 6.0;
                }
                Block::Paragraph(text) => {
                    self.text_block(text, BODY, 0, false);
                    self.y += 4.0;
                }
                Block::Fields(pairs) => self.fields(pairs),
                Block::Figures(pairs) => self.figures(pairs),
                Block::Table {
                    columns,
                    rows,
                    empty,
                } => self.table(columns, rows, empty),
            }
        }
        self.pages
    }

    fn fields(&mut self, pairs: &[(String, String)]) {
        let label_width = 120.0;
        let value_width = PAGE_WIDTH - 2.0 * MARGIN_X - label_width;
        for (label, value) in pairs {
            let lines = self.lines(value, value_width, BODY);
            let line_height = BODY * LEADING;
            self.ensure(line_height * lines.len() as f32);
            let top = self.y;
            self.ops()
                .push(Op::text(MARGIN_X, top + BODY, BODY, 90, label));
            for (i, line) in lines.iter().enumerate() {
                self.ops().push(Op::text(
                    MARGIN_X + label_width,
                    top + BODY + i as f32 * line_height,
                    BODY,
                    0,
                    line,
                ));
            }
            self.y += line_height * lines.len() as f32 + 2.0;
        }
        self.y += 4.0;
    }

    fn figures(&mut self, pairs: &[(String, String)]) {
        let per_row = 4usize;
        let gap = 8.0;
        let width = (PAGE_WIDTH - 2.0 * MARGIN_X - gap * (per_row as f32 - 1.0)) / per_row as f32;
        let height = 48.0;
        for chunk in pairs.chunks(per_row) {
            self.ensure(height + gap);
            let top = self.y;
            for (i, (label, value)) in chunk.iter().enumerate() {
                let x = MARGIN_X + i as f32 * (width + gap);
                self.ops().push(Op::Shade {
                    rect: (x, top, width, height),
                    gray: 242,
                });
                self.ops()
                    .push(Op::text(x + 8.0, top + 15.0, 8.0, 90, label));
                // The value as large as fits the box.
                let mut size = 17.0;
                while size > 9.0 && self.face.width(value, size) > width - 16.0 {
                    size -= 1.0;
                }
                self.ops()
                    .push(Op::text(x + 8.0, top + 38.0, size, 0, value));
            }
            self.y += height + gap;
        }
        self.y += 2.0;
    }

    fn table(&mut self, columns: &[Column], rows: &[Vec<String>], empty: &str) {
        let total_weight: f32 = columns
            .iter()
            .map(|c| c.weight)
            .sum::<f32>()
            .max(f32::EPSILON);
        let full = PAGE_WIDTH - 2.0 * MARGIN_X;
        let widths: Vec<f32> = columns
            .iter()
            .map(|c| full * c.weight / total_weight)
            .collect();
        let size = 9.0;
        let line_height = size * LEADING;
        let header: Vec<String> = columns.iter().map(|c| c.title.clone()).collect();
        self.ensure(line_height * 3.0);
        self.row(columns, &widths, &header, size, true);
        if rows.is_empty() {
            self.text_block(empty, size, 90, false);
        }
        for row in rows {
            let height = self.row_height(&widths, row, size);
            if self.ensure(height) {
                self.row(columns, &widths, &header, size, true);
            }
            self.row(columns, &widths, row, size, false);
        }
        self.y += 8.0;
    }

    fn row_height(&self, widths: &[f32], cells: &[String], size: f32) -> f32 {
        let lines = cells
            .iter()
            .zip(widths)
            .map(|(cell, w)| self.lines(cell, w - 2.0 * CELL_PAD, size).len())
            .max()
            .unwrap_or(1);
        lines as f32 * size * LEADING + 2.0 * CELL_PAD
    }

    fn row(&mut self, columns: &[Column], widths: &[f32], cells: &[String], size: f32, head: bool) {
        let height = self.row_height(widths, cells, size);
        let top = self.y;
        if head {
            self.ops().push(Op::Shade {
                rect: (MARGIN_X, top, widths.iter().sum(), height),
                gray: 232,
            });
        }
        let mut x = MARGIN_X;
        for ((cell, width), column) in cells.iter().zip(widths).zip(columns) {
            let lines = self.lines(cell, width - 2.0 * CELL_PAD, size);
            let mut ops = Vec::new();
            for (i, line) in lines.iter().enumerate() {
                let left = if column.numeric {
                    x + width - CELL_PAD - self.face.width(line, size)
                } else {
                    x + CELL_PAD
                };
                let baseline = top + CELL_PAD + size + i as f32 * size * LEADING;
                ops.push(Op::text(
                    left,
                    baseline,
                    size,
                    if head { 30 } else { 0 },
                    line,
                ));
            }
            self.ops().extend(ops);
            x += width;
        }
        let bottom = top + height;
        self.ops().push(Op::rule(
            MARGIN_X,
            bottom,
            MARGIN_X + widths.iter().sum::<f32>(),
            bottom,
            0.4,
            170,
        ));
        self.y = bottom;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character one unit wide, spaces included.
    fn chars(s: &str) -> f32 {
        s.chars().count() as f32
    }

    #[test]
    fn chinese_breaks_between_any_two_characters() {
        assert_eq!(
            wrap("一二三四五六七", 3.0, chars),
            ["一二三", "四五六", "七"]
        );
    }

    #[test]
    fn latin_breaks_at_spaces_and_keeps_words_whole() {
        assert_eq!(
            wrap("roof leak in unit 1-2-301", 10.0, chars),
            ["roof leak", "in unit", "1-2-301"]
        );
    }

    #[test]
    fn a_word_wider_than_the_line_is_cut() {
        assert_eq!(
            wrap("ZAB-LS-2026-000123", 8.0, chars),
            ["ZAB-LS-2", "026-0001", "23"]
        );
    }

    #[test]
    fn mixed_text_and_newlines() {
        assert_eq!(
            wrap("外墙 ZAB-1 渗水\n第二行", 6.0, chars),
            ["外墙", "ZAB-1", "渗水", "第二行"]
        );
        assert_eq!(wrap("", 5.0, chars), [""]);
    }

    #[test]
    fn tokens_keep_trailing_spaces_with_their_word() {
        assert_eq!(tokens("ab cd 中文 x"), ["ab ", "cd ", "中", "文 ", "x"]);
        assert_eq!(tokens("ZAB-1渗a"), ["ZAB-1", "渗", "a"]);
    }
}
