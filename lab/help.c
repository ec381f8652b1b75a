/* help — a section of the man page as plain text (see help.h). */
#include "help.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* doc/socklab.1, NUL-terminated: man_page.c, written by CMakeLists.txt. */
extern const unsigned char help_man_page[];

const struct help_topic help_topics[] = {
	{ .name = "keys",
	  .section = "KEYS",
	  .about = "the keys of a lesson, free play and socklab step" },
	{ .name = "lessons",
	  .section = "LESSON FORMAT",
	  .about = "the lesson file format: directives, calls, expectations" },
	{ .name = "exit", .section = "EXIT STATUS", .about = "the exit codes" },
	{ .name = "commands", .section = "COMMANDS", .about = "every command" },
	{ .name = "options", .section = "OPTIONS", .about = "every option of run, play and step" },
	{ .name = "sandbox",
	  .section = "SANDBOX",
	  .about = "the private namespace, the host path, AppArmor" },
	{ .name = "environment",
	  .section = "ENVIRONMENT",
	  .about = "the environment variables socklab reads" },
};
const size_t help_topic_count = sizeof help_topics / sizeof help_topics[0];

enum {
	HELP_WIDTH = 78,        /* columns a line may fill, indent included */
	HELP_INDENT = 2,        /* a section's text */
	HELP_TAG_INDENT = 6,    /* more, for the text under a .TP tag */
	HELP_NO_BREAK = '\x1f', /* "\ ", a space that joins two words */
};

/* What the roff escapes the manual uses stand for: \(xx names. */
static const struct {
	const char *name;
	const char *text;
} help_glyphs[] = {
	{ "dq", "\"" }, { "aq", "'" }, { "em", "--" },
	{ "en", "-" },  { "bu", "*" }, { "co", "(c)" },
};

struct formatter {
	FILE *out;
	char line[1024];     /* the words of the output line being filled */
	size_t line_len;     /* bytes in line */
	size_t line_columns; /* columns of line (UTF-8 characters) */
	int indent;          /* columns before the line */
	bool fill;           /* .fi (true) or .nf */
	bool tag_next;       /* the next text is a .TP tag */
	bool blank_pending;  /* a paragraph ended: one blank line before more text */
	bool printed;        /* a line of the section is out: paragraphs start with a blank */
};

static size_t help_columns(const char *text, size_t len)
{
	size_t columns = 0;
	for (size_t i = 0; i < len; i++)
		columns += ((unsigned char)text[i] & 0xc0) != 0x80;
	return columns;
}

static void help_emit(struct formatter *formatter, const char *text, size_t len)
{
	if (formatter->blank_pending) {
		fputc('\n', formatter->out);
		formatter->blank_pending = false;
	}
	formatter->printed = true;
	fprintf(formatter->out, "%*s", formatter->indent, "");
	for (size_t i = 0; i < len; i++)
		fputc(text[i] == HELP_NO_BREAK ? ' ' : text[i], formatter->out);
	fputc('\n', formatter->out);
}

static void help_flush_line(struct formatter *formatter)
{
	if (formatter->line_len)
		help_emit(formatter, formatter->line, formatter->line_len);
	formatter->line_len = 0;
	formatter->line_columns = 0;
}

static void help_paragraph(struct formatter *formatter, int indent)
{
	help_flush_line(formatter);
	formatter->blank_pending = formatter->printed;
	formatter->indent = indent;
}

static void help_add_word(struct formatter *formatter, const char *word, size_t len)
{
	size_t columns = help_columns(word, len);
	if (formatter->line_len
	    && (size_t)formatter->indent + formatter->line_columns + 1 + columns > HELP_WIDTH)
		help_flush_line(formatter);
	if (formatter->line_len + 1 + len >= sizeof formatter->line)
		help_flush_line(formatter);
	if (len >= sizeof formatter->line) {
		help_emit(formatter, word, len);
		return;
	}
	if (formatter->line_len) {
		formatter->line[formatter->line_len++] = ' ';
		formatter->line_columns++;
	}
	memcpy(formatter->line + formatter->line_len, word, len);
	formatter->line_len += len;
	formatter->line_columns += columns;
}

/* Text after its escapes are read: filled word by word, or a line as it is
 * between .nf and .fi. A .TP tag stands on a line of its own. */
static void help_add_text(struct formatter *formatter, const char *text)
{
	if (!formatter->fill) {
		help_emit(formatter, text, strlen(text));
		return;
	}
	for (const char *word = text; *word;) {
		word += strspn(word, " \t");
		size_t len = strcspn(word, " \t");
		if (len)
			help_add_word(formatter, word, len);
		word += len;
	}
	if (formatter->tag_next) {
		help_flush_line(formatter);
		formatter->tag_next = false;
		formatter->indent = HELP_INDENT + HELP_TAG_INDENT;
	}
}

/* Reads the roff escapes of `in` into `out`: fonts vanish, \- is '-',
 * \(xx a glyph, "\ " a space that joins words. */
static void help_unescape(const char *in, char *out, size_t out_size)
{
	size_t n = 0;
	for (; *in && n + 4 < out_size; in++) {
		if (*in != '\\') {
			out[n++] = *in;
			continue;
		}
		char escape = *++in;
		if (!escape)
			break;
		if (escape == 'f') {          /* \fB, \fR, \f(CW: a font */
			if (in[1] == '(' && in[2] && in[3])
				in += 3;
			else if (in[1])
				in++;
		} else if (escape == '(' && in[1] && in[2]) {
			const char *glyph = "?";
			for (size_t i = 0; i < sizeof help_glyphs / sizeof help_glyphs[0]; i++)
				if (strncmp(in + 1, help_glyphs[i].name, 2) == 0)
					glyph = help_glyphs[i].text;
			for (; *glyph && n + 4 < out_size; glyph++)
				out[n++] = *glyph;
			in += 2;
		} else if (escape == ' ') {
			out[n++] = HELP_NO_BREAK;
		} else if (escape == 'e') {
			out[n++] = '\\';
		} else if (escape != '&' && escape != '|' && escape != '^' && escape != 'c') {
			out[n++] = escape;       /* \- \\ \. and the like: the character */
		}
	}
	out[n] = '\0';
}

/* A request's arguments (".BR a \"b c\" d"), quotes removed ("" inside
 * quotes is one "), joined with spaces or, for the alternating font
 * requests (.BR .IR ...), without. */
static void help_join_arguments(const char *arguments, bool alternating, char *out, size_t out_size)
{
	size_t n = 0;
	bool first = true;
	const char *p = arguments;
	while (*p) {
		p += strspn(p, " \t");
		if (!*p)
			break;
		if (!first && !alternating && n + 1 < out_size)
			out[n++] = ' ';
		first = false;
		if (*p == '"') {
			for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
				if (*p == '"')
					p++;         /* "" inside quotes: one " */
				if (n + 1 < out_size)
					out[n++] = *p;
			}
			if (*p == '"')
				p++;
		} else {
			for (; *p && *p != ' ' && *p != '\t'; p++)
				if (n + 1 < out_size)
					out[n++] = *p;
		}
	}
	out[n] = '\0';
}

static void help_request_paragraph(struct formatter *formatter, const char *arguments)
{
	(void)arguments;
	help_paragraph(formatter, HELP_INDENT);
}

static void help_request_tag(struct formatter *formatter, const char *arguments)
{
	(void)arguments;
	help_paragraph(formatter, HELP_INDENT);
	formatter->tag_next = true;
}

static void help_request_break(struct formatter *formatter, const char *arguments)
{
	(void)arguments;
	help_flush_line(formatter);
}

static void help_request_no_fill(struct formatter *formatter, const char *arguments)
{
	(void)arguments;
	help_flush_line(formatter);
	formatter->fill = false;
}

static void help_request_fill(struct formatter *formatter, const char *arguments)
{
	(void)arguments;
	formatter->fill = true;
}

/* .B and .I: the words in one font. */
static void help_request_font(struct formatter *formatter, const char *arguments)
{
	char joined[1024], text[1024];
	help_join_arguments(arguments, false, joined, sizeof joined);
	help_unescape(joined, text, sizeof text);
	help_add_text(formatter, text);
}

/* .BR, .IR, .RB ...: two fonts in turn, the words joined. */
static void help_request_fonts(struct formatter *formatter, const char *arguments)
{
	char joined[1024], text[1024];
	help_join_arguments(arguments, true, joined, sizeof joined);
	help_unescape(joined, text, sizeof text);
	help_add_text(formatter, text);
}

/* The requests the manual uses; any other (.TH, comments) prints nothing. */
static const struct {
	const char *name;
	void (*run)(struct formatter *formatter, const char *arguments);
} help_requests[] = {
	{ "PP", help_request_paragraph }, { "LP", help_request_paragraph },
	{ "P", help_request_paragraph },  { "TP", help_request_tag },
	{ "br", help_request_break },     { "nf", help_request_no_fill },
	{ "fi", help_request_fill },      { "B", help_request_font },
	{ "I", help_request_font },       { "BR", help_request_fonts },
	{ "BI", help_request_fonts },     { "IB", help_request_fonts },
	{ "IR", help_request_fonts },     { "RB", help_request_fonts },
	{ "RI", help_request_fonts },
};

/* One request line of the section (without its '.'). Returns false at the
 * next section. */
static bool help_request(struct formatter *formatter, const char *line)
{
	size_t name_len = strcspn(line, " \t");
	if (name_len == 2 && strncmp(line, "SH", 2) == 0)
		return false;
	for (size_t i = 0; i < sizeof help_requests / sizeof help_requests[0]; i++)
		if (strlen(help_requests[i].name) == name_len
		    && strncmp(line, help_requests[i].name, name_len) == 0)
			help_requests[i].run(formatter, line + name_len);
	return true;
}

/* Whether `line` is the .SH request that heads SECTION. */
static bool help_is_heading(const char *line, size_t len, const char *section)
{
	if (len < 4 || strncmp(line, ".SH ", 4) != 0 || len - 4 >= 256)
		return false;
	char arguments[256], heading[256];
	memcpy(arguments, line + 4, len - 4);
	arguments[len - 4] = '\0';
	help_join_arguments(arguments, false, heading, sizeof heading);
	return strcmp(heading, section) == 0;
}

int help_format_section(FILE *out, const char *man_page, const char *section)
{
	const char *line = man_page;
	while (*line) {
		size_t len = strcspn(line, "\n");
		bool found = help_is_heading(line, len, section);
		line += len + (line[len] == '\n');
		if (found)
			break;
		if (!*line)
			return -1;
	}
	fprintf(out, "%s\n", section);
	struct formatter formatter = { .out = out, .indent = HELP_INDENT, .fill = true };
	for (; *line;) {
		size_t len = strcspn(line, "\n");
		char raw[1024];
		snprintf(raw, sizeof raw, "%.*s", (int)len, line);
		line += len + (line[len] == '\n');
		if (raw[0] == '.' || raw[0] == '\'') {
			if (!help_request(&formatter, raw + 1))
				break;
		} else if (raw[0] == '\0' && formatter.fill) {
			help_paragraph(&formatter, HELP_INDENT);
		} else {
			char text[1024];
			help_unescape(raw, text, sizeof text);
			help_add_text(&formatter, text);
		}
	}
	help_flush_line(&formatter);
	return 0;
}

void help_print_topics(FILE *out)
{
	for (size_t i = 0; i < help_topic_count; i++)
		fprintf(out, "  %-12s %s\n", help_topics[i].name, help_topics[i].about);
}

int help_print_topic(FILE *out, const char *topic, char **err)
{
	for (size_t i = 0; i < help_topic_count; i++) {
		if (strcmp(topic, help_topics[i].name) != 0)
			continue;
		if (help_format_section(out, (const char *)help_man_page,
					help_topics[i].section) == 0)
			return 0;
		return text_error(err, "the manual has no section '%s'", help_topics[i].section);
	}
	char names[256] = "";
	for (size_t i = 0; i < help_topic_count; i++)
		snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
			 help_topics[i].name);
	return text_error(err, "no help topic '%s' (topics: %s)", topic, names);
}
