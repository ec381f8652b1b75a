/* po — a small reader (and string writer) for gettext PO files. */
#include "po.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PO_MAX_BYTES = 4 << 20 };

/* The string being built: the value of the last keyword seen. */
enum field { FIELD_NONE, FIELD_CONTEXT, FIELD_ID, FIELD_PLURAL, FIELD_STR, FIELD_STR_OTHER };

struct parser {
	const char *name;
	struct po_file *file;
	struct po_entry current;
	bool has_current;           /* a keyword of the current entry was seen */
	bool pending_fuzzy;         /* a flags line before the entry's keywords */
	enum field field;
	char **err;
	int line;
};

static void entry_done(struct po_entry *entry)
{
	free(entry->context);
	free(entry->id);
	free(entry->str);
	memset(entry, 0, sizeof *entry);
}

void po_file_done(struct po_file *file)
{
	for (size_t i = 0; i < file->count; i++)
		entry_done(&file->entries[i]);
	free(file->entries);
	file->entries = NULL;
	file->count = 0;
}

static int fail(struct parser *parser, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	char *message = NULL;
	if (vasprintf(&message, format, args) < 0)
		message = NULL;
	va_end(args);
	if (!message || asprintf(parser->err, "%s:%d: %s", parser->name, parser->line, message) < 0)
		*parser->err = NULL;
	free(message);
	return -1;
}

/* Ends the current entry: a complete one joins the file. */
static int finish_entry(struct parser *parser)
{
	if (!parser->has_current)
		return 0;
	struct po_entry *entry = &parser->current;
	if (!entry->id || !entry->str) {
		entry_done(entry);
		parser->has_current = false;
		return fail(parser, "an entry needs msgid and msgstr");
	}
	struct po_entry *grown =
		realloc(parser->file->entries, (parser->file->count + 1) * sizeof *grown);
	if (!grown)
		return fail(parser, "out of memory");
	parser->file->entries = grown;
	grown[parser->file->count++] = *entry;
	memset(entry, 0, sizeof *entry);
	parser->has_current = false;
	parser->field = FIELD_NONE;
	return 0;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes one "..." at `text` (which starts at the quote), appending to
 * *value. Returns the bytes used, or -1. */
static long append_quoted(struct parser *parser, const char *text, size_t len, char **value)
{
	size_t old = *value ? strlen(*value) : 0;
	char *out = malloc(old + len + 1);
	if (!out)
		return fail(parser, "out of memory");
	if (old)
		memcpy(out, *value, old);
	size_t at = old, i = 1;
	for (; i < len && text[i] != '"'; i++) {
		char c = text[i];
		if (c != '\\') {
			out[at++] = c;
			continue;
		}
		if (++i >= len)
			break;
		static const char simple_from[] = "ntr\"\\abfv?'",
				  simple_to[] = "\n\t\r\"\\\a\b\f\v?'";
		const char *simple = strchr(simple_from, text[i]);
		if (simple && text[i]) {
			out[at++] = simple_to[simple - simple_from];
		} else if (text[i] >= '0' && text[i] <= '7') {
			int byte = 0;
			for (int n = 0; n < 3 && i < len && text[i] >= '0' && text[i] <= '7';
			     n++, i++)
				byte = byte * 8 + (text[i] - '0');
			i--;
			out[at++] = (char)byte;
		} else if (text[i] == 'x' && i + 1 < len && hex_value(text[i + 1]) >= 0) {
			int byte = 0;   /* C keeps the low byte of a long \x run */
			for (i++; i < len && hex_value(text[i]) >= 0; i++)
				byte = (byte * 16 + hex_value(text[i])) & 0xff;
			i--;
			out[at++] = (char)byte;
		} else {
			free(out);
			return fail(parser, "unknown escape '\\%c'", text[i]);
		}
	}
	if (i >= len) {
		free(out);
		return fail(parser, "a string without its closing quote");
	}
	out[at] = '\0';
	if (memchr(out + old, '\0', at - old)) {
		free(out);
		return fail(parser, "a NUL byte inside a string");
	}
	free(*value);
	*value = out;
	return (long)i + 1;
}

static char **field_value(struct parser *parser, char **scratch)
{
	switch (parser->field) {
	case FIELD_CONTEXT: return &parser->current.context;
	case FIELD_ID: return &parser->current.id;
	case FIELD_STR: return &parser->current.str;
	default: return scratch;   /* plural forms: read, not kept */
	}
}

static const struct {
	const char *word;
	enum field field;
} keywords[] = {
	{ "msgctxt", FIELD_CONTEXT },
	{ "msgid_plural", FIELD_PLURAL },
	{ "msgid", FIELD_ID },
	{ "msgstr[0]", FIELD_STR },
	{ "msgstr[", FIELD_STR_OTHER },
	{ "msgstr", FIELD_STR },
};

static int parse_line(struct parser *parser, const char *text, size_t len)
{
	bool obsolete = false;   /* `#~ `: msgmerge's mark of a text that is gone (a loop: "#~#~"
	                            nests nothing) */
	for (;;) {
		while (len && (*text == ' ' || *text == '\t')) {
			text++;
			len--;
		}
		if (len < 2 || text[0] != '#' || text[1] != '~')
			break;
		obsolete = true;
		text += 2;
		len -= 2;
	}
	while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\r'))
		len--;
	if (len == 0)
		return finish_entry(parser);
	if (text[0] == '#') {
		if (len >= 2 && text[1] == ',') {
			if (parser->has_current && parser->field != FIELD_NONE
			    && finish_entry(parser) < 0)
				return -1;
			char flags[256];
			snprintf(flags, sizeof flags, "%.*s", (int)len - 2, text + 2);
			for (char *save = NULL, *flag = strtok_r(flags, ", ", &save); flag;
			     flag = strtok_r(NULL, ", ", &save))
				if (strcmp(flag, "fuzzy") == 0)
					parser->pending_fuzzy = true;
		}
		return 0;
	}
	char *scratch = NULL;
	if (text[0] == '"') {
		if (parser->field == FIELD_NONE)
			return fail(parser, "a string outside msgid, msgstr or msgctxt");
		long used = append_quoted(parser, text, len, field_value(parser, &scratch));
		free(scratch);
		if (used < 0)
			return -1;
		if ((size_t)used != len)
			return fail(parser, "text after a string's closing quote");
		return 0;
	}
	for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++) {
		size_t word_len = strlen(keywords[k].word);
		if (len < word_len || memcmp(text, keywords[k].word, word_len) != 0)
			continue;
		const char *rest = text + word_len;
		size_t rest_len = len - word_len;
		if (keywords[k].field == FIELD_STR_OTHER) {   /* msgstr[N] */
			size_t digits = 0;   /* the line is not NUL-terminated: count within it */
			while (digits < rest_len && rest[digits] >= '0' && rest[digits] <= '9')
				digits++;
			if (digits == 0 || digits >= rest_len || rest[digits] != ']')
				return fail(parser, "expected msgstr[N]");
			rest += digits + 1;
			rest_len -= digits + 1;
		}
		if (rest_len == 0 || (*rest != ' ' && *rest != '\t'))
			continue;   /* msgid_plural is not msgid */
		/* msgctxt or msgid starts the next entry once a msgstr was read. */
		bool starts = keywords[k].field == FIELD_CONTEXT || keywords[k].field == FIELD_ID;
		if (starts && parser->has_current && parser->current.str
		    && finish_entry(parser) < 0)
			return -1;
		if (!parser->has_current) {
			parser->has_current = true;
			parser->current.line = parser->line;
			parser->current.fuzzy = parser->pending_fuzzy;
			parser->pending_fuzzy = false;
		}
		if (obsolete)
			parser->current.obsolete = true;
		parser->field = keywords[k].field;
		char **value = field_value(parser, &scratch);
		if (*value && value != &scratch)
			return fail(parser, "%s given twice in one entry", keywords[k].word);
		while (rest_len && (*rest == ' ' || *rest == '\t')) {
			rest++;
			rest_len--;
		}
		if (rest_len == 0 || *rest != '"')
			return fail(parser, "%s needs a string in quotes", keywords[k].word);
		long used = append_quoted(parser, rest, rest_len, value);
		free(scratch);
		if (used < 0)
			return -1;
		if (!*value && value != &scratch && !(*value = strdup("")))
			return fail(parser, "out of memory");
		if ((size_t)used != rest_len)
			return fail(parser, "text after a string's closing quote");
		return 0;
	}
	return fail(parser, "expected msgctxt, msgid, msgstr, a string or a comment");
}

int po_parse(const char *name, const char *text, size_t len, struct po_file *out, char **err)
{
	*err = NULL;
	memset(out, 0, sizeof *out);
	struct parser parser = { .name = name, .file = out, .err = err };
	size_t at = 0;
	while (at < len) {
		const char *newline = memchr(text + at, '\n', len - at);
		size_t line_len = newline ? (size_t)(newline - (text + at)) : len - at;
		parser.line++;
		if (parse_line(&parser, text + at, line_len) < 0)
			goto failed;
		at += line_len + 1;
	}
	parser.line++;
	if (finish_entry(&parser) < 0)
		goto failed;
	return 0;
failed:
	entry_done(&parser.current);
	po_file_done(out);
	return -1;
}

int po_load(const char *path, struct po_file *out, char **err)
{
	*err = NULL;
	memset(out, 0, sizeof *out);
	FILE *in = fopen(path, "re");
	if (!in) {
		int saved = errno;
		if (saved != ENOENT && asprintf(err, "%s: %s", path, strerror(saved)) < 0)
			*err = NULL;
		errno = saved;
		return -1;
	}
	char *text = malloc(PO_MAX_BYTES);
	size_t len = text ? fread(text, 1, PO_MAX_BYTES, in) : 0;
	bool too_big = text && len == PO_MAX_BYTES;
	bool failed = !text || ferror(in);
	fclose(in);
	if (failed || too_big) {
		if (asprintf(err, "%s: %s", path,
			     too_big ? "too large for a translation" : "cannot read") < 0)
			*err = NULL;
		free(text);
		errno = EIO;
		return -1;
	}
	int result = po_parse(path, text, len, out, err);
	free(text);
	if (result < 0)
		errno = EINVAL;
	return result;
}

const struct po_entry *po_find(const struct po_file *file, const char *context)
{
	for (size_t i = 0; i < file->count; i++) {
		const struct po_entry *entry = &file->entries[i];
		if (!entry->obsolete && entry->context && strcmp(entry->context, context) == 0)
			return entry;
	}
	return NULL;
}

static void write_escaped(FILE *out, const char *text, size_t len)
{
	fputc('"', out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		switch (c) {
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		default:
			if (c < 0x20 || c == 0x7f)
				fprintf(out, "\\%03o", c);
			else
				fputc(c, out);
		}
	}
	fputc('"', out);
}

void po_write_string(FILE *out, const char *keyword, const char *text)
{
	fprintf(out, "%s ", keyword);
	const char *newline = strchr(text, '\n');
	if (!newline || newline[1] == '\0') {
		write_escaped(out, text, strlen(text));
		fputc('\n', out);
		return;
	}
	fputs("\"\"\n", out);   /* gettext's own layout: one source line a string line */
	while (*text) {
		size_t len = strcspn(text, "\n");
		if (text[len] == '\n')
			len++;
		write_escaped(out, text, len);
		fputc('\n', out);
		text += len;
	}
}
