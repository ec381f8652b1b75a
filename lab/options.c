/* options — one table-driven parser for every command's options (see options.h). */
#include "options.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"

enum { ROWS_MAX = 32, HELP_ID = 1000 };

void options_usage(FILE *out, const struct options_spec *spec)
{
	fprintf(out, _("usage: socklab %s"), spec->command);
	for (size_t i = 0; i < spec->row_count; i++) {
		const struct option_row *row = &spec->rows[i];
		const char *open = row->required ? "" : "[", *close = row->required ? "" : "]";
		fprintf(out, " %s", open);
		if (row->letter)
			fprintf(out, "-%c|", row->letter);
		fprintf(out, row->value ? "--%s %s%s" : "--%s%s", row->name,
			row->value ? row->value : close, close);
	}
	fprintf(out, "%s%s\n", spec->operands[0] ? " " : "", spec->operands);
}

int options_parse(const struct options_spec *spec, int argc, char **argv,
		  int (*take)(void *context, size_t row, const char *value), void *context)
{
	struct option table[ROWS_MAX + 2];
	/* "+": options end at the first operand; ":": a missing value is ':', not '?'. */
	char letters[2 + 2 * ROWS_MAX + 1] = "+:";
	size_t count = spec->row_count < ROWS_MAX ? spec->row_count : ROWS_MAX, at = 2;
	for (size_t i = 0; i < count; i++) {
		const struct option_row *row = &spec->rows[i];
		table[i] = (struct option){ row->name, row->value ? required_argument : no_argument,
					    NULL, (int)(i + 1) };
		if (row->letter) {
			letters[at++] = row->letter;
			if (row->value)
				letters[at++] = ':';
		}
	}
	letters[at] = '\0';
	table[count] = (struct option){ "help", no_argument, NULL, HELP_ID };
	table[count + 1] = (struct option){ 0 };
	optind = 1;
	opterr = 0;   /* our own message, naming the command */
	int found;
	while ((found = getopt_long(argc, argv, letters, table, NULL)) != -1) {
		if (found == HELP_ID) {
			options_usage(stdout, spec);
			return OPTIONS_HELP;
		}
		size_t row = count;
		if (found >= 1 && found <= (int)count)
			row = (size_t)found - 1;
		for (size_t i = 0; i < count && row == count; i++)
			if (spec->rows[i].letter && spec->rows[i].letter == found)
				row = i;
		if (row < count) {
			if (take(context, row, spec->rows[row].value ? optarg : NULL) < 0)
				return OPTIONS_BAD;
			continue;
		}
		if (found == ':')
			fprintf(stderr, _("socklab %s: %s needs a value\n"), spec->command,
				argv[optind - 1]);
		else if (optopt > ' ' && optopt < 127)   /* a short option has its
		                                            letter in optopt */
			fprintf(stderr, _("socklab %s: unknown option '-%c'\n"), spec->command,
				optopt);
		else
			fprintf(stderr, _("socklab %s: unknown option '%s'\n"), spec->command,
				argv[optind - 1]);
		options_usage(stderr, spec);
		return OPTIONS_BAD;
	}
	return optind;
}
