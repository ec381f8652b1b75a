/* fuzz_po — po_parse, the reader of lesson translations, on arbitrary bytes,
 * and po_write_string's promise: what it writes reads back as the same
 * string (lesson-pot writes every msgid this way, and a msgid that read back
 * otherwise would never match its lesson's English).
 * Seeds: tests/fuzz/corpus-po/ and the shipped translations, lessons/zh_CN.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "po.h"

#define FUZZ_MAX_BYTES 65536

static void check(bool condition)
{
	if (!condition)
		__builtin_trap();
}

/* Writes `text` as a one-entry PO file and reads it back. */
static void check_round_trip(const char *text)
{
	char *written = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&written, &size);
	check(out != NULL);
	po_write_string(out, "msgid", text);
	fputs("msgstr \"\"\n", out);
	fclose(out);
	struct po_file po;
	char *err = NULL;
	check(po_parse("w.po", written, size, &po, &err) == 0);
	check(po.count == 1 && strcmp(po.entries[0].id, text) == 0);
	po_file_done(&po);
	free(written);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > FUZZ_MAX_BYTES)
		return 0;
	struct po_file po;
	char *err = NULL;
	if (po_parse("f.po", (const char *)data, size, &po, &err) < 0) {
		check(po.count == 0 && po.entries == NULL);
		free(err);
		return 0;
	}
	check(err == NULL);
	for (size_t i = 0; i < po.count; i++) {
		const struct po_entry *entry = &po.entries[i];
		check(entry->id != NULL && entry->str != NULL && entry->line >= 1);
		check_round_trip(entry->id);
		check_round_trip(entry->str);
		if (entry->context && !entry->obsolete)
			check(po_find(&po, entry->context) != NULL);
	}
	po_file_done(&po);
	return 0;
}
