/* complete — Tab completion of a typed call at the cursor. No curses.
 *
 * The line is read as the parser will read it (lesson.h), but only up to
 * the cursor: before the ':' the word is a side; after it, a call's name
 * (or the name its result gets); inside the parentheses the argument at
 * the cursor has a kind in the call's catalog row, and the candidates are
 * the catalog's constants of that kind or, for a socket, the names that
 * side's calls have given so far (what the parser will accept). Every
 * candidate is borrowed from the catalog or the lesson.
 */
#ifndef SOCKLAB_TUI_COMPLETE_H
#define SOCKLAB_TUI_COMPLETE_H

#include <stddef.h>

#include "catalog.h"
#include "lesson.h"

enum { COMPLETE_MAX = 64 };

/* What the cursor is on. */
enum complete_place {
	PLACE_NONE,       /* nothing to complete: inside bytes, after the ')' */
	PLACE_SIDE,       /* before the ':' */
	PLACE_CALL,       /* the call's name */
	PLACE_ARGUMENT,   /* an argument of `call`, of kind `kind` */
};

struct completion {
	enum complete_place place;
	const struct call_def *call;         /* PLACE_ARGUMENT */
	int argument;                        /* PLACE_ARGUMENT: 0-based */
	enum arg_kind kind;                  /* PLACE_ARGUMENT */
	size_t start;                        /* the word completed is text[start, cursor) */
	const char *candidates[COMPLETE_MAX];   /* borrowed, in catalog or lesson order */
	size_t count;
	const char *suffix;                  /* what follows a lone match: "(" after a call,
	                                        ": " after a side */
};

/* The candidates for the word that ends at `cursor` in text[0, len).
 * `lesson` gives the sides and, through its steps, the socket names. A
 * word that matches nothing as typed is tried again ignoring case. */
void complete_at(const char *text, size_t len, size_t cursor, const struct lesson *lesson,
		 struct completion *out);

/* Bytes every candidate shares from the start (0 without candidates). */
size_t complete_common_length(const struct completion *completion);

#endif
