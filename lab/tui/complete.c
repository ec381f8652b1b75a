/* complete — what may be typed at the cursor, from the catalog and the lesson. */
#include "complete.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

/* The grammar's name characters, as the parser scans them. */
static bool is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static size_t skip_spaces(const char *text, size_t end, size_t i)
{
	while (i < end && (text[i] == ' ' || text[i] == '\t'))
		i++;
	return i;
}

static size_t scan_name(const char *text, size_t end, size_t i)
{
	while (i < end && is_name_char(text[i]))
		i++;
	return i;
}

/* Whether `candidate` starts with the word; `fold` ignores case. */
static bool matches(const char *candidate, const char *word, size_t len, bool fold)
{
	return strlen(candidate) >= len
		&& (fold ? strncasecmp(candidate, word, len) == 0
			 : strncmp(candidate, word, len) == 0);
}

static void offer(struct completion *out, const char *candidate, const char *word, size_t len,
		  bool fold)
{
	if (!matches(candidate, word, len, fold) || out->count == COMPLETE_MAX)
		return;
	for (size_t i = 0; i < out->count; i++)
		if (strcmp(out->candidates[i], candidate) == 0)
			return;
	out->candidates[out->count++] = candidate;
}

static int side_index(const struct lesson *lesson, const char *name, size_t len)
{
	for (int s = 0; s < lesson->side_count; s++)
		if (strlen(lesson->sides[s]) == len && memcmp(lesson->sides[s], name, len) == 0)
			return s;
	return -1;
}

/* The candidates of each place: one gatherer a place. */
typedef void gather_fn(struct completion *out, const struct lesson *lesson, int side,
		       const char *word, size_t len, bool fold);

static void gather_sides(struct completion *out, const struct lesson *lesson, int side,
			 const char *word, size_t len, bool fold)
{
	(void)side;
	for (int s = 0; s < lesson->side_count; s++)
		offer(out, lesson->sides[s], word, len, fold);
}

static void gather_calls(struct completion *out, const struct lesson *lesson, int side,
			 const char *word, size_t len, bool fold)
{
	(void)lesson;
	(void)side;
	for (int c = 0; c < CALL_COUNT; c++)
		if (!catalog_calls[c].program_only)   /* the parser refuses them */
			offer(out, catalog_calls[c].name, word, len, fold);
}

static void gather_arguments(struct completion *out, const struct lesson *lesson, int side,
			     const char *word, size_t len, bool fold)
{
	/* A socket: the names the parser's scope holds, those earlier calls of the side gave. */
	for (size_t i = 0; out->kind == ARG_SOCKET && i < lesson->step_count; i++) {
		const struct typed_call *call = &lesson->steps[i].call;
		if (call->side == side && call->result_name[0])
			offer(out, call->result_name, word, len, fold);
	}
	/* A side: fork()'s child becomes one of the lesson's other sides. */
	for (int s = 0; out->kind == ARG_SIDE && s < lesson->side_count; s++)
		if (s != side)
			offer(out, lesson->sides[s], word, len, fold);
	for (size_t i = 0; i < catalog_constant_count; i++)
		if (catalog_constants[i].kind == out->kind)
			offer(out, catalog_constants[i].name, word, len, fold);
}

static gather_fn *const gatherers[] = {
	[PLACE_SIDE] = gather_sides,
	[PLACE_CALL] = gather_calls,
	[PLACE_ARGUMENT] = gather_arguments,
};

/* Where the arguments at the cursor stand: the argument's index, or -1
 * when the cursor is inside bytes in quotes or after the closing ')'. */
static int argument_at(const char *text, size_t open, size_t cursor)
{
	int argument = 0, depth = 0;
	bool quoted = false;
	for (size_t i = open + 1; i < cursor; i++) {
		char c = text[i];
		if (quoted) {
			if (c == '\\')
				i++;
			else if (c == '"')
				quoted = false;
		} else if (c == '"') {
			quoted = true;
		} else if (c == '[') {
			depth++;   /* [::1]:65432 */
		} else if (c == ']' && depth > 0) {
			depth--;
		} else if (c == ',' && depth == 0) {
			argument++;
		} else if (c == ')' && depth == 0) {
			return -1;
		}
	}
	return quoted ? -1 : argument;
}

/* Reads the line up to the cursor: which place, which side, and for an
 * argument the call and its kind. */
static void locate(const char *text, size_t cursor, const struct lesson *lesson,
		   struct completion *out, int *side)
{
	*side = -1;
	out->place = PLACE_NONE;
	size_t i = skip_spaces(text, cursor, 0);
	size_t side_end = scan_name(text, cursor, i);
	if (side_end == cursor) {
		out->place = PLACE_SIDE;
		out->suffix = ": ";
		return;
	}
	if (text[side_end] != ':')
		return;
	*side = side_index(lesson, text + i, side_end - i);
	i = skip_spaces(text, cursor, side_end + 1);
	size_t name_end = scan_name(text, cursor, i);
	if (name_end == cursor) {
		out->place = PLACE_CALL;
		out->suffix = "(";
		return;
	}
	size_t after = skip_spaces(text, cursor, name_end);
	if (after < cursor && text[after] == '=') {
		i = skip_spaces(text, cursor, after + 1);
		name_end = scan_name(text, cursor, i);
		if (name_end == cursor) {
			out->place = PLACE_CALL;
			out->suffix = "(";
			return;
		}
		after = skip_spaces(text, cursor, name_end);
	}
	if (after >= cursor || text[after] != '(')
		return;
	const struct call_def *call = catalog_find_call(text + i, name_end - i);
	int argument = argument_at(text, after, cursor);
	if (!call || call->program_only || argument < 0 || argument >= call->max_args)
		return;
	out->place = PLACE_ARGUMENT;
	out->call = call;
	out->argument = argument;
	out->kind = call->args[argument];
	out->suffix = "";
}

void complete_at(const char *text, size_t len, size_t cursor, const struct lesson *lesson,
		 struct completion *out)
{
	memset(out, 0, sizeof *out);
	out->suffix = "";
	if (cursor > len)
		cursor = len;
	int side;
	locate(text, cursor, lesson, out, &side);
	/* The word is the run of name characters just before the cursor. */
	size_t start = cursor;
	while (start > 0 && is_name_char(text[start - 1]))
		start--;
	out->start = start;
	if (out->place == PLACE_NONE)
		return;
	gather_fn *gather = gatherers[out->place];
	gather(out, lesson, side, text + start, cursor - start, false);
	if (out->count == 0)
		gather(out, lesson, side, text + start, cursor - start, true);
}

size_t complete_common_length(const struct completion *completion)
{
	if (completion->count == 0)
		return 0;
	const char *first = completion->candidates[0];
	size_t common = strlen(first);
	for (size_t i = 1; i < completion->count; i++) {
		size_t k = 0;
		while (k < common && completion->candidates[i][k] == first[k])
			k++;
		common = k;
	}
	return common;
}
