/* words — a command line split with a shell's quoting, nothing expanded. */
#include "words.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* What a shell would act on outside quotes: refused there. */
static const char shell_specials[] = "$`;&|<>()*?[]{}~#";

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int refuse(char **err, size_t *column, size_t at, const char *message)
{
	if (column)
		*column = at + 1;
	return text_error(err, "%s", message);
}

static int refuse_special(char **err, size_t *column, size_t at, char c, bool quoted)
{
	if (column)
		*column = at + 1;
	if (quoted)
		return text_error(err,
				  "'%c' in double quotes is not expanded: no shell runs the "
				  "command (single quotes pass it as it is)",
				  c);
	return text_error(err,
			  "'%c' means nothing here: no shell runs the command (quote it, '%c', to "
			  "pass it as it is)",
			  c, c);
}

/* One word from command[*at], unquoted into `out`; *at moves past it. */
static int split_one(const char *command, size_t *at, char *out, char **err, size_t *column)
{
	size_t i = *at, length = 0;
	while (command[i] && !is_blank(command[i])) {
		char c = command[i];
		if ((unsigned char)c < 0x20 || c == 0x7f)
			return refuse(err, column, i, "a control byte in the command");
		if (c == '\'') {
			const char *close = strchr(command + i + 1, '\'');
			if (!close)
				return refuse(err, column, i, "a quote ' is not closed");
			size_t inner = (size_t)(close - (command + i + 1));
			for (size_t k = 0; k < inner; k++)
				if ((unsigned char)command[i + 1 + k] < 0x20
				    || command[i + 1 + k] == 0x7f)
					return refuse(err, column, i + 1 + k,
						      "a control byte in the command");
			memcpy(out + length, command + i + 1, inner);
			length += inner;
			i += inner + 2;
		} else if (c == '"') {
			size_t open = i++;
			for (;; i++) {
				char d = command[i];
				if (!d)
					return refuse(err, column, open,
						      "a quote \" is not closed");
				if (d == '"')
					break;
				if ((unsigned char)d < 0x20 || d == 0x7f)
					return refuse(err, column, i,
						      "a control byte in the command");
				if (d == '$' || d == '`')
					return refuse_special(err, column, i, d, true);
				if (d == '\\' && command[i + 1] && strchr("\"\\$`", command[i + 1]))
					d = command[++i];
				out[length++] = d;
			}
			i++;
		} else if (c == '\\') {
			if (!command[i + 1])
				return refuse(err, column, i,
					      "a backslash at the end escapes nothing");
			if ((unsigned char)command[i + 1] < 0x20 || command[i + 1] == 0x7f)
				return refuse(err, column, i + 1, "a control byte in the command");
			out[length++] = command[i + 1];
			i += 2;
		} else if (strchr(shell_specials, c)) {
			return refuse_special(err, column, i, c, false);
		} else {
			out[length++] = c;
			i++;
		}
	}
	out[length] = '\0';
	*at = i;
	return 0;
}

int words_split(struct words *words, const char *command, const char *base_dir, char **err,
		size_t *column)
{
	memset(words, 0, sizeof *words);
	size_t at = 0;
	char *word = malloc(strlen(command) + 1);   /* unquoting never lengthens */
	if (!word)
		return text_error(err, "out of memory");
	for (;;) {
		while (is_blank(command[at]))
			at++;
		if (!command[at])
			break;
		if (words->count == WORDS_MAX) {
			refuse(err, column, at, "more than 32 words in the command");
			goto failed;
		}
		if (split_one(command, &at, word, err, column) < 0)
			goto failed;
		bool relative =
			base_dir && (strncmp(word, "./", 2) == 0 || strncmp(word, "../", 3) == 0);
		char *kept = NULL;
		if (relative ? asprintf(&kept, "%s/%s", base_dir, word) < 0
			     : !(kept = strdup(word))) {
			text_error(err, "out of memory");
			goto failed;
		}
		words->argv[words->count++] = kept;
	}
	free(word);
	if (words->count == 0) {
		words_done(words);
		return refuse(err, column, 0, "an empty command");
	}
	return 0;
failed:
	free(word);
	words_done(words);
	return -1;
}

void words_done(struct words *words)
{
	for (int i = 0; i < words->count; i++)
		free(words->argv[i]);
	memset(words, 0, sizeof *words);
}

enum quoting { BARE, SINGLE, ANSI_C };

/* Bare when a shell keeps it as it is; $'...' when a byte would not show
 * on a terminal as itself (control bytes, non-ASCII): \xHH there. */
static enum quoting quoting_for(const char *word)
{
	enum quoting quoting = *word ? BARE : SINGLE;
	for (const unsigned char *c = (const unsigned char *)word; *c; c++) {
		if (*c < 0x20 || *c >= 0x7f)
			return ANSI_C;
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,."
			    "/-",
			    *c))
			quoting = SINGLE;
	}
	return quoting;
}

char *words_show(const struct words *words)
{
	size_t size = 1;
	for (int i = 0; i < words->count; i++)
		size += 4 * strlen(words->argv[i]) + 4;   /* a byte takes at most 4: '\'' or \xHH */
	char *shown = malloc(size), *end = shown;
	if (!shown)
		return NULL;
	for (int i = 0; i < words->count; i++) {
		const char *word = words->argv[i];
		enum quoting quoting = quoting_for(word);
		if (i)
			*end++ = ' ';
		if (quoting == ANSI_C)
			*end++ = '$';
		if (quoting != BARE)
			*end++ = '\'';
		for (const unsigned char *c = (const unsigned char *)word; *c; c++) {
			if (quoting == ANSI_C && (*c < 0x20 || *c >= 0x7f))
				end += sprintf(end, "\\x%02x", *c);
			else if (quoting == ANSI_C && (*c == '\'' || *c == '\\'))
				end += sprintf(end, "\\%c", *c);
			else if (quoting == SINGLE && *c == '\'')
				end += sprintf(end, "'\\''");
			else
				*end++ = (char)*c;
		}
		if (quoting != BARE)
			*end++ = '\'';
	}
	*end = '\0';
	return shown;
}
