/* svg — the diagram as SVG (and an HTML handout), written by hand. */
#include "svg.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* Sizes in SVG user units (pixels at 100%). Widths of text are estimated
 * from a monospace advance of 0.6 em, a little more to be safe. */
enum {
	FONT = 13,                /* calls, results, labels, states */
	CHAR_WIDTH = 8,           /* FONT's advance, rounded up */
	TITLE_FONT = 18,
	LEFT = 78,                /* the step numbers' column */
	RIGHT = 24,
	HEAD_Y = 58,              /* the lifelines' name boxes */
	HEAD_HEIGHT = 28,
	BODY_Y = HEAD_Y + HEAD_HEIGHT + 14,
	STEP_GAP = 16,            /* room above a step's first row for its rule and number */
	CALL_HEIGHT = 46,         /* a call box (38) and the space under it */
	CALL_BOX = 38,
	PACKET_HEIGHT = 30,
	NOTE_LINE = 20,
	NOTE_PAD = 6,
	MIN_HALF = 120,           /* half a lifeline's column, at least */
	LANE_GAP = 24,
	BAR_WIDTH = 10,           /* a blocked call's bar */
	LEGEND_HEIGHT = 60,
	MIN_WIDTH = 880,          /* the legend's longest line */
};

/* Colours, each doubling a shape: the drawing reads the same in grey. */
#define INK "#111111"
#define LINE "#8a8a8a"
#define CALL_FILL "#e8f0fe"
#define CALL_STROKE "#1a4d8f"
#define FAILED_FILL "#fde7e7"
#define FAILED_STROKE "#b00020"
#define BLOCKED_FILL "#fff1d0"
#define BLOCKED_STROKE "#8a5a00"
#define IDLE_FILL "#eeeeee"
#define IDLE_STROKE "#666666"
#define STATE_FILL "#e9f5e9"
#define STATE_STROKE "#2e7d32"
#define GONE_FILL "#f4f4f4"
#define PACKET_STROKE "#222222"
#define RESET_STROKE "#b00020"

struct layout {
	int lane_x[LESSON_MAX_SIDES];     /* each lifeline's x */
	int lane_left[LESSON_MAX_SIDES];  /* its column's width left of the lifeline
	                                     (half a call box) */
	int lane_right[LESSON_MAX_SIDES]; /* and right of it (half a call box, or a state tag) */
	int width;
	int *row_y;                       /* each row's top (owned) */
	int *row_height;                  /* owned */
	int body_end;                     /* y after the last row */
};

/* ---- text ---------------------------------------------------------------- */

/* Code points of valid UTF-8; an invalid byte counts as one. */
static size_t text_columns(const char *text)
{
	size_t columns = 0;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if ((*p & 0xc0) != 0x80)
			columns++;
	return columns;
}

static int text_width(const char *text)
{
	return (int)text_columns(text) * CHAR_WIDTH;
}

/* The length of the valid UTF-8 sequence at p, 0 when it is not one. */
static size_t utf8_length(const unsigned char *p)
{
	size_t length = *p < 0x80     ? 1
		: (*p & 0xe0) == 0xc0 ? 2
		: (*p & 0xf0) == 0xe0 ? 3
		: (*p & 0xf8) == 0xf0 ? 4
				      : 0;
	if (length == 2 && *p < 0xc2)
		return 0;   /* overlong */
	for (size_t i = 1; i < length; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return length;
}

/* Text as XML character data or attribute value: the five specials as
 * entities, control characters and bytes that are not UTF-8 as '?', which
 * XML 1.0 cannot carry at all. */
static void put_escaped_n(FILE *out, const char *text, size_t size)
{
	const unsigned char *end = (const unsigned char *)text + size;
	for (const unsigned char *p = (const unsigned char *)text; p < end && *p;) {
		size_t length = utf8_length(p);
		if (length == 0 || p + length > end
		    || (length == 1 && *p < 0x20 && *p != '\t' && *p != '\n')) {
			fputc('?', out);
			p++;
			continue;
		}
		switch (*p) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fwrite(p, 1, length, out); break;
		}
		p += length;
	}
}

static void put_escaped(FILE *out, const char *text)
{
	put_escaped_n(out, text, strlen(text));
}

/* <text> at (x, y) with `attributes` (a literal), the text escaped. */
static void put_text(FILE *out, int x, int y, const char *attributes, const char *text)
{
	fprintf(out, "<text x=\"%d\" y=\"%d\" %s>", x, y, attributes);
	put_escaped(out, text);
	fputs("</text>\n", out);
}

/* ---- layout -------------------------------------------------------------- */

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

static int note_lines(const struct diagram_row *row, int lane)
{
	int lines = 0;
	for (size_t i = 0; i < row->note_count; i++)
		lines += row->notes[i].lane == lane;
	return lines;
}

static int call_lane(const struct diagram_row *row)
{
	return row->lane >= 0 ? row->lane : 0;
}

static int row_height(const struct diagram *diagram, const struct diagram_row *row)
{
	int height = row->step_start ? STEP_GAP : 0;
	if (row->kind == DIAGRAM_CALL)
		return height + CALL_HEIGHT;
	if (row->kind == DIAGRAM_PACKET)
		return height + PACKET_HEIGHT;
	int lines = 0;
	for (int lane = 0; lane < diagram->lifeline_count; lane++)
		lines = max_int(lines, note_lines(row, lane));
	return height + lines * NOTE_LINE + NOTE_PAD;
}

static void layout_done(struct layout *layout)
{
	free(layout->row_y);
	free(layout->row_height);
}

/* Columns wide enough for every box, tag and label on them; rows one
 * under the other. */
static int layout_build(struct layout *layout, const struct diagram *diagram, char **err)
{
	memset(layout, 0, sizeof *layout);
	layout->row_y = calloc(diagram->count ? diagram->count : 1, sizeof *layout->row_y);
	layout->row_height =
		calloc(diagram->count ? diagram->count : 1, sizeof *layout->row_height);
	if (!layout->row_y || !layout->row_height) {
		layout_done(layout);
		return text_error(err, "out of memory");
	}
	int lanes = diagram->lifeline_count;
	for (int lane = 0; lane < lanes; lane++) {
		int half = max_int(MIN_HALF, text_width(diagram->lifelines[lane].name) / 2 + 20);
		layout->lane_left[lane] = layout->lane_right[lane] = half;
	}
	int gap_need[LESSON_MAX_SIDES] = { 0 };   /* between lane and lane + 1: a packet's label */
	for (size_t i = 0; i < diagram->count; i++) {
		const struct diagram_row *row = &diagram->rows[i];
		if (row->kind == DIAGRAM_CALL) {
			int half =
				(max_int(text_width(row->call), text_width(row->result)) + 24) / 2
				+ 12;
			int lane = call_lane(row);
			layout->lane_left[lane] = max_int(layout->lane_left[lane], half);
			layout->lane_right[lane] = max_int(layout->lane_right[lane], half);
		} else if (row->kind == DIAGRAM_STATES) {
			for (size_t k = 0; k < row->note_count; k++) {
				int *right = &layout->lane_right[row->notes[k].lane];
				*right = max_int(*right, text_width(row->notes[k].text) + 16 + 20);
			}
		} else if (row->from_lane >= 0 && row->to_lane >= 0
			   && row->from_lane != row->to_lane) {
			int low = row->from_lane < row->to_lane ? row->from_lane : row->to_lane;
			int high = row->from_lane ^ row->to_lane ^ low;
			if (high == low + 1)
				gap_need[low] = max_int(gap_need[low], text_width(row->label) + 40);
		}
	}
	for (int lane = 0; lane < lanes; lane++) {
		if (lane == 0) {
			layout->lane_x[0] = LEFT + layout->lane_left[0];
			continue;
		}
		int distance = layout->lane_right[lane - 1] + LANE_GAP + layout->lane_left[lane];
		layout->lane_x[lane] =
			layout->lane_x[lane - 1] + max_int(distance, gap_need[lane - 1]);
	}
	layout->width = lanes ? layout->lane_x[lanes - 1] + layout->lane_right[lanes - 1] + RIGHT
			      : LEFT + 2 * MIN_HALF;
	int y = BODY_Y;
	for (size_t i = 0; i < diagram->count; i++) {
		layout->row_y[i] = y;
		layout->row_height[i] = row_height(diagram, &diagram->rows[i]);
		y += layout->row_height[i];
	}
	layout->body_end = y + 10;
	/* The title must fit too. */
	int title = text_width(diagram->lesson) + text_width(diagram->title) + 40;
	layout->width =
		max_int(max_int(layout->width, LEFT + title * TITLE_FONT / FONT), MIN_WIDTH);
	return 0;
}

/* ---- drawing ------------------------------------------------------------- */

static void draw_lifelines(FILE *out, const struct diagram *diagram, const struct layout *layout,
			   int top, int bottom)
{
	for (int lane = 0; lane < diagram->lifeline_count; lane++)
		fprintf(out,
			"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"" LINE
			"\" stroke-width=\"2\"/>\n",
			layout->lane_x[lane], top, layout->lane_x[lane], bottom);
}

static void draw_heads(FILE *out, const struct diagram *diagram, const struct layout *layout, int y)
{
	for (int lane = 0; lane < diagram->lifeline_count; lane++) {
		int half = text_width(diagram->lifelines[lane].name) / 2 + 16;
		fprintf(out,
			"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#ffffff\" "
			"stroke=\"" INK "\" stroke-width=\"2\"/>\n",
			layout->lane_x[lane] - half, y, 2 * half, HEAD_HEIGHT);
		put_text(out, layout->lane_x[lane], y + 19,
			 "font-family=\"monospace\" font-size=\"14\" font-weight=\"bold\" "
			 "text-anchor=\"middle\" fill=\"" INK "\"",
			 diagram->lifelines[lane].name);
	}
}

static void draw_step_rule(FILE *out, const struct layout *layout, size_t step, int y)
{
	char label[32];
	snprintf(label, sizeof label, "step %zu", step);
	fprintf(out,
		"<line x1=\"4\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#c8c8c8\" "
		"stroke-width=\"1\" stroke-dasharray=\"2 4\"/>\n",
		y + 4, layout->width - 4, y + 4);
	put_text(out, 6, y + 22, "font-family=\"sans-serif\" font-size=\"12\" fill=\"#444444\"",
		 label);
}

static void draw_call(FILE *out, const struct layout *layout, const struct diagram_row *row, int y)
{
	enum event_kind kind = row->event ? row->event->kind : EVENT_RETURNED;
	const char *fill = CALL_FILL, *stroke = CALL_STROKE, *dash = "", *weight = "1.5";
	if (row->failed) {
		fill = FAILED_FILL;
		stroke = FAILED_STROKE;
		weight = "3";
	} else if (kind == EVENT_BLOCKED || kind == EVENT_WOKE) {
		fill = BLOCKED_FILL;
		stroke = BLOCKED_STROKE;
		if (kind == EVENT_BLOCKED)
			dash = " stroke-dasharray=\"6 3\"";
	} else if (kind == EVENT_NOT_RUN || kind == EVENT_SKIPPED) {
		fill = IDLE_FILL;
		stroke = IDLE_STROKE;
		dash = " stroke-dasharray=\"2 3\"";
	}
	int lane = call_lane(row);
	int width = max_int(text_width(row->call), text_width(row->result)) + 24;
	int x = layout->lane_x[lane] - width / 2;
	fprintf(out,
		"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\" fill=\"%s\" "
		"stroke=\"%s\" stroke-width=\"%s\"%s/>\n",
		x, y, width, CALL_BOX, fill, stroke, weight, dash);
	put_text(out, layout->lane_x[lane], y + 16,
		 "font-family=\"monospace\" font-size=\"13\" text-anchor=\"middle\" fill=\"" INK
		 "\"",
		 row->call);
	put_text(out, layout->lane_x[lane], y + 32,
		 "font-family=\"monospace\" font-size=\"13\" font-weight=\"bold\" "
		 "text-anchor=\"middle\" fill=\"" INK "\"",
		 row->result);
}

static void draw_arrowhead(FILE *out, int x, int y, int direction, const char *colour)
{
	fprintf(out, "<polygon points=\"%d,%d %d,%d %d,%d\" fill=\"%s\"/>\n", x, y,
		x - direction * 11, y - 5, x - direction * 11, y + 5, colour);
}

static void draw_packet(FILE *out, const struct layout *layout, const struct diagram_row *row,
			int y)
{
	bool reset = strstr(row->label, "RST") != NULL;
	const char *colour = reset ? RESET_STROKE : PACKET_STROKE;
	int label_y = y + 13, arrow_y = y + 21;
	if (row->from_lane < 0 || row->to_lane < 0 || row->from_lane == row->to_lane) {
		char line[DIAGRAM_TEXT_MAX + 64];
		snprintf(line, sizeof line, "packet between sides the lab could not tell: %s",
			 row->label);
		put_text(out, LEFT, arrow_y,
			 "font-family=\"monospace\" font-size=\"12\" fill=\"" INK "\"", line);
		return;
	}
	int from = layout->lane_x[row->from_lane], to = layout->lane_x[row->to_lane];
	int direction = to > from ? 1 : -1;
	fprintf(out,
		"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
		"stroke-width=\"2\"%s/>\n",
		from, arrow_y, to - direction * 10, arrow_y, colour,
		reset ? " stroke-dasharray=\"8 4\"" : "");
	draw_arrowhead(out, to, arrow_y, direction, colour);
	int middle = (from + to) / 2, width = text_width(row->label) + 10;
	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" fill=\"#ffffff\"/>\n",
		middle - width / 2, label_y - 12, width);
	put_text(out, middle, label_y,
		 "font-family=\"monospace\" font-size=\"12\" font-weight=\"bold\" "
		 "text-anchor=\"middle\" fill=\"" INK "\"",
		 row->label);
}

static void draw_states(FILE *out, const struct diagram *diagram, const struct layout *layout,
			const struct diagram_row *row, int y)
{
	int line[LESSON_MAX_SIDES] = { 0 };
	for (size_t i = 0; i < row->note_count; i++) {
		const struct diagram_note *note = &row->notes[i];
		if (note->lane < 0 || note->lane >= diagram->lifeline_count)
			continue;
		int x = layout->lane_x[note->lane] + 10;
		int top = y + 3 + line[note->lane]++ * NOTE_LINE;
		fprintf(out,
			"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"8\" fill=\"%s\" "
			"stroke=\"%s\"%s/>\n",
			x, top, text_width(note->text) + 16, NOTE_LINE - 3,
			note->gone ? GONE_FILL : STATE_FILL,
			note->gone ? IDLE_STROKE : STATE_STROKE,
			note->gone ? " stroke-dasharray=\"4 3\"" : "");
		put_text(out, x + 8, top + 13,
			 note->gone ? "font-family=\"monospace\" font-size=\"13\" "
				      "font-style=\"italic\" fill=\"" INK "\""
				    : "font-family=\"monospace\" font-size=\"13\" fill=\"" INK "\"",
			 note->text);
	}
}

/* The part of each blocked call's bar between y = top and y = bottom. */
static void draw_bars(FILE *out, const struct diagram *diagram, const struct layout *layout,
		      int shift, int top, int bottom)
{
	for (size_t i = 0; i < diagram->count; i++) {
		const struct diagram_row *row = &diagram->rows[i];
		if (row->kind != DIAGRAM_CALL || !row->event || row->event->kind != EVENT_BLOCKED)
			continue;
		int start = layout->row_y[i] + (row->step_start ? STEP_GAP : 0) + CALL_BOX - shift;
		int end = row->wake_row < diagram->count ? layout->row_y[row->wake_row]
				+ (diagram->rows[row->wake_row].step_start ? STEP_GAP : 0) - shift
							 : layout->body_end - shift;
		if (start < top)
			start = top;
		if (end > bottom)
			end = bottom;
		if (end <= start)
			continue;
		fprintf(out,
			"<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"" BLOCKED_FILL
			"\" stroke=\"" BLOCKED_STROKE
			"\" stroke-width=\"1.5\" stroke-dasharray=\"6 3\"/>\n",
			layout->lane_x[call_lane(row)] - BAR_WIDTH / 2, start, BAR_WIDTH,
			end - start);
	}
}

/* Rows first to last (exclusive), moved up by `shift`. */
static void draw_rows(FILE *out, const struct diagram *diagram, const struct layout *layout,
		      size_t first, size_t last, int shift)
{
	for (size_t i = first; i < last; i++) {
		const struct diagram_row *row = &diagram->rows[i];
		int y = layout->row_y[i] - shift;
		if (row->step_start) {
			draw_step_rule(out, layout, row->step, y);
			y += STEP_GAP;
		}
		if (row->kind == DIAGRAM_CALL)
			draw_call(out, layout, row, y);
		else if (row->kind == DIAGRAM_PACKET)
			draw_packet(out, layout, row, y);
		else
			draw_states(out, diagram, layout, row, y);
	}
}

static void draw_legend(FILE *out, const struct layout *layout, int y)
{
	static const char *const lines[] = {
		"box: a call and its result (thick: it failed; dashed, with a bar: asleep in the "
		"kernel until the box where it woke)",
		"arrow: a packet on the wire (flags, seq and ack relative to each side's first, "
		"length);  tag: a socket's state after the call",
	};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
		put_text(out, LEFT - 70, y + 18 + (int)i * 18,
			 "font-family=\"sans-serif\" font-size=\"12\" fill=\"#444444\"", lines[i]);
	(void)layout;
}

static void svg_open(FILE *out, int width, int height, const struct diagram *diagram,
		     bool standalone)
{
	if (standalone)
		fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
	fprintf(out,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
		"height=\"%d\" viewBox=\"0 0 %d %d\">\n",
		width, height, width, height);
	if (standalone) {
		fputs("<title>", out);
		put_escaped(out, diagram->lesson);
		fputs(": ", out);
		put_escaped(out, diagram->title);
		fputs("</title>\n", out);
	}
	fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", width,
		height);
}

static int finish(FILE *out, char **err)
{
	if (fflush(out) != 0 || ferror(out))
		return text_error(err, "writing the diagram failed");
	return 0;
}

int svg_write(FILE *out, const struct diagram *diagram, const struct svg_texts *texts, char **err)
{
	struct layout layout;
	if (layout_build(&layout, diagram, err) < 0)
		return -1;
	int width = layout.width;
	int height = layout.body_end + LEGEND_HEIGHT;
	svg_open(out, width, height, diagram, true);
	char title[256];
	snprintf(title, sizeof title, "%s: %s", diagram->lesson, diagram->title);
	put_text(out, 8, 26,
		 "font-family=\"sans-serif\" font-size=\"18\" font-weight=\"bold\" fill=\"" INK
		 "\"",
		 title);
	if (texts && texts->subtitle)
		put_text(out, 8, 46, "font-family=\"sans-serif\" font-size=\"12\" fill=\"#444444\"",
			 texts->subtitle);
	draw_lifelines(out, diagram, &layout, HEAD_Y + HEAD_HEIGHT, layout.body_end);
	draw_heads(out, diagram, &layout, HEAD_Y);
	draw_bars(out, diagram, &layout, 0, 0, layout.body_end);
	draw_rows(out, diagram, &layout, 0, diagram->count, 0);
	draw_legend(out, &layout, layout.body_end);
	fputs("</svg>\n", out);
	layout_done(&layout);
	return finish(out, err);
}

/* ---- HTML ---------------------------------------------------------------- */

static void put_paragraphs(FILE *out, const char *text)
{
	/* A blank line parts paragraphs, as in a lesson's `say:`. */
	while (*text) {
		const char *end = strstr(text, "\n\n");
		size_t length = end ? (size_t)(end - text) : strlen(text);
		fputs("<p>", out);
		put_escaped_n(out, text, length);
		fputs("</p>\n", out);
		text += length;
		while (*text == '\n')
			text++;
	}
}

/* One step's slice: its rows, with the lifelines through them. */
static void html_step(FILE *out, const struct diagram *diagram, const struct layout *layout,
		      size_t first, size_t last, const char *text)
{
	int top = layout->row_y[first],
	    bottom = last < diagram->count ? layout->row_y[last] : layout->body_end;
	fputs("<tr><td class=\"picture\">", out);
	svg_open(out, layout->width, bottom - top, diagram, false);
	draw_lifelines(out, diagram, layout, 0, bottom - top);
	draw_bars(out, diagram, layout, top, 0, bottom - top);
	draw_rows(out, diagram, layout, first, last, top);
	fputs("</svg></td>\n<td class=\"text\">", out);
	fprintf(out, "<h2>step %zu</h2>\n", diagram->rows[first].step);
	if (text)
		put_paragraphs(out, text);
	fputs("</td></tr>\n", out);
}

int svg_write_html(FILE *out, const struct diagram *diagram, const struct svg_texts *texts,
		   char **err)
{
	struct layout layout;
	if (layout_build(&layout, diagram, err) < 0)
		return -1;
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>",
	      out);
	put_escaped(out, diagram->lesson);
	fputs(": ", out);
	put_escaped(out, diagram->title);
	fputs("</title>\n<style>\n"
	      "body { font-family: sans-serif; margin: 1.5em; color: #111111; background: "
	      "#ffffff; }\n"
	      "table { border-collapse: collapse; }\n"
	      "td { padding: 0; vertical-align: top; }\n"
	      "td.picture svg { display: block; }\n"
	      "td.text { padding: 0 0 0 1.5em; max-width: 36em; border-top: 1px dotted #c8c8c8; }\n"
	      "td.text h2 { font-size: 1em; margin: 0.6em 0 0.2em; }\n"
	      "td.text p { margin: 0 0 0.5em; }\n"
	      "@media print { tr { break-inside: avoid; } }\n"
	      "</style>\n</head>\n<body>\n<h1>",
	      out);
	put_escaped(out, diagram->lesson);
	fputs(": ", out);
	put_escaped(out, diagram->title);
	fputs("</h1>\n", out);
	if (texts && texts->subtitle) {
		fputs("<p class=\"subtitle\">", out);
		put_escaped(out, texts->subtitle);
		fputs("</p>\n", out);
	}
	if (texts && texts->intro)
		put_paragraphs(out, texts->intro);
	fputs("<table>\n<tr><td class=\"picture\">", out);
	svg_open(out, layout.width, BODY_Y - HEAD_Y + 2, diagram, false);
	draw_lifelines(out, diagram, &layout, HEAD_HEIGHT, BODY_Y - HEAD_Y + 2);
	draw_heads(out, diagram, &layout, 0);
	fputs("</svg></td><td></td></tr>\n", out);
	for (size_t first = 0; first < diagram->count;) {
		size_t last = first + 1;
		while (last < diagram->count
		       && diagram->rows[last].step == diagram->rows[first].step)
			last++;
		size_t step = diagram->rows[first].step;
		const char *text = texts && step >= 1 && step <= texts->step_count
			? texts->steps[step - 1]
			: NULL;
		html_step(out, diagram, &layout, first, last, text);
		first = last;
	}
	fputs("</table>\n<p class=\"legend\">A box is a call and its result (thick: it failed; "
	      "dashed, with a bar: asleep in the kernel until the box where it woke); an arrow a "
	      "packet on the wire (flags, seq and ack relative to each side's first, length); a "
	      "tag a socket's state after the call (dashed: gone).</p>\n</body>\n</html>\n",
	      out);
	layout_done(&layout);
	return finish(out, err);
}
