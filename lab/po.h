/* po — reads gettext PO files: the entries a translator wrote.
 *
 * Enough of the format for socklab's lesson translations: msgctxt, msgid,
 * msgstr (msgid_plural and msgstr[N] are read, the plural forms ignored),
 * strings continued over several lines and joined, C escapes (\n \t \"
 * \\ \a \b \f \v \r, octal, \x), the flags line `#, fuzzy, ...`, and
 * obsolete entries (`#~`), which msgmerge keeps for texts that no longer
 * exist. Nothing else of a comment is kept. */
#ifndef SOCKLAB_PO_H
#define SOCKLAB_PO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct po_entry {
	char *context;    /* msgctxt, owned; NULL when there is none */
	char *id;         /* msgid, owned */
	char *str;        /* msgstr (msgstr[0] for plurals), owned; "" untranslated */
	bool fuzzy;       /* `#, fuzzy`: msgmerge's guess, not a translation */
	bool obsolete;    /* `#~`: the text it translated is gone */
	int line;         /* of the entry's first line, 1-based */
};

struct po_file {
	struct po_entry *entries;   /* owned, with their strings */
	size_t count;
};

/* Parses PO text. Returns 0, or -1 with "NAME:LINE: message" in *err
 * (caller frees; NULL when out of memory); out is empty after a failure. */
int po_parse(const char *name, const char *text, size_t len, struct po_file *out, char **err);

/* Reads and parses a file; -1 with errno ENOENT when there is none (and
 * *err NULL), else -1 with *err for any other problem. */
int po_load(const char *path, struct po_file *out, char **err);

void po_file_done(struct po_file *file);   /* safe twice */

/* The live (not obsolete) entry with that msgctxt, or NULL. */
const struct po_entry *po_find(const struct po_file *file, const char *context);

/* Writes `text` as a PO string after `keyword` ("msgid"): on one line,
 * or split after each \n when it has several lines. */
void po_write_string(FILE *out, const char *keyword, const char *text);

#endif
