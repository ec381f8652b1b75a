/* readiness — the fds a readiness call reported and their text (readiness.h). */
#include "readiness.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

/* Appends like snprintf at *at, counting what does not fit. */
static void put(char *out, size_t size, size_t *at, const char *format, ...)
	__attribute__((format(printf, 4, 5)));
static void put(char *out, size_t size, size_t *at, const char *format, ...)
{
	va_list args;
	va_start(args, format);
	bool room = *at < size;
	int written = vsnprintf(room ? out + *at : NULL, room ? size - *at : 0, format, args);
	va_end(args);
	if (written > 0)
		*at += (size_t)written;
}

size_t readiness_text(const struct ready_fd *ready, size_t count, char *out, size_t size)
{
	size_t at = 0;
	if (size > 0)
		out[0] = '\0';
	for (size_t i = 0; i < count; i++) {
		put(out, size, &at, "%s", i ? ", " : "");
		if (ready[i].name[0])
			put(out, size, &at, "%s", ready[i].name);
		else
			put(out, size, &at, "fd %d", ready[i].fd);
		const char *separator = " ";
		for (size_t b = 0; b < catalog_readiness_count; b++)
			if (ready[i].events & catalog_readiness[b].bit) {
				put(out, size, &at, "%s%s", separator, catalog_readiness[b].name);
				separator = "|";
			}
	}
	return at;
}

char *readiness_text_new(const struct ready_fd *ready, size_t count)
{
	size_t len = readiness_text(ready, count, NULL, 0);
	char *text = malloc(len + 1);
	if (text)
		readiness_text(ready, count, text, len + 1);
	return text;
}

uint32_t readiness_named(uint32_t events)
{
	uint32_t named = 0;
	for (size_t b = 0; b < catalog_readiness_count; b++)
		named |= catalog_readiness[b].bit;
	return events & named;
}

/* The event `name` (len bytes) names, or 0. */
static uint32_t event_bit(const char *name, size_t len)
{
	for (size_t b = 0; b < catalog_readiness_count; b++)
		if (strlen(catalog_readiness[b].name) == len
		    && memcmp(catalog_readiness[b].name, name, len) == 0)
			return catalog_readiness[b].bit;
	return 0;
}

/* One entry, "ls POLLIN|POLLHUP" or "fd 7 POLLOUT", of len bytes. */
static bool parse_entry(const char *item, size_t len, struct ready_fd *entry)
{
	*entry = (struct ready_fd){ .fd = -1 };
	size_t name_len = strcspn(item, " ");
	name_len = name_len < len ? name_len : len;
	size_t at = name_len;
	if (name_len == 2 && memcmp(item, "fd", 2) == 0 && at + 1 < len && item[at] == ' '
	    && item[at + 1] >= '0' && item[at + 1] <= '9') {
		long fd = 0;
		for (at++; at < len && item[at] >= '0' && item[at] <= '9'; at++) {
			fd = fd * 10 + (item[at] - '0');
			if (fd > 0x7fffffff)
				return false;
		}
		entry->fd = (int)fd;
	} else {
		if (name_len == 0 || name_len >= NAME_MAX_LEN)
			return false;
		memcpy(entry->name, item, name_len);
	}
	if (at == len)
		return true;
	if (item[at] != ' ')
		return false;
	for (at++;;) {
		size_t bit_len = strcspn(item + at, "|");
		bit_len = at + bit_len < len ? bit_len : len - at;
		uint32_t bit = event_bit(item + at, bit_len);
		if (!bit)
			return false;
		entry->events |= bit;
		at += bit_len;
		if (at == len)
			return true;
		at++;   /* the '|' */
	}
}

int readiness_parse(const char *text, struct ready_fd **ready, size_t *count)
{
	*ready = NULL;
	*count = 0;
	if (!text[0])
		return 0;
	size_t entries = 1;
	for (const char *comma = strstr(text, ", "); comma; comma = strstr(comma + 2, ", "))
		entries++;
	struct ready_fd *parsed = calloc(entries, sizeof *parsed);
	if (!parsed)
		return -1;
	const char *item = text;
	for (size_t i = 0; i < entries; i++) {
		const char *comma = strstr(item, ", ");
		size_t len = comma ? (size_t)(comma - item) : strlen(item);
		if (!parse_entry(item, len, &parsed[i])) {
			free(parsed);
			return -1;
		}
		item += len + 2;
	}
	/* Only the text readiness_text writes reads back: one text, one list. */
	char *again = readiness_text_new(parsed, entries);
	bool same = again && strcmp(again, text) == 0;
	free(again);
	if (!same) {
		free(parsed);
		return -1;
	}
	*ready = parsed;
	*count = entries;
	return 0;
}
