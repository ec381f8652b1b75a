/* lesson_po — lesson texts from PO files, and the template they start from. */
#include "lesson_po.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fit.h"
#include "i18n.h"
#include "po.h"

enum text_field { FIELD_TITLE, FIELD_INTRO, FIELD_SAY, FIELD_THEN_SAY };

/* Each language's name as the interface's sentences say it ("Chinese",
 * "中文"); language_english_name's, marked for translation. */
static const char *const language_names[LANGUAGE_COUNT] = {
	[LANGUAGE_EN] = N_("English"),
	[LANGUAGE_ZH] = N_("Chinese"),
};

/* One translatable text of a lesson: where it lives and what names it. */
struct lesson_text {
	char **text;       /* the lesson's string, replaced in place */
	int line;          /* of its directive */
	char context[64];  /* msgctxt: "01-echo:step 6:say" */
	enum text_field field;   /* for warnings, with `step_number` */
	size_t step_number;
	const struct lesson_step *step;   /* NULL for the title and intro */
};

/* The lesson's texts in file order; returns how many (caller frees). */
static size_t lesson_texts(struct lesson *lesson, struct lesson_text **out)
{
	size_t capacity = 2 + 2 * lesson->step_count, count = 0;
	struct lesson_text *texts = calloc(capacity, sizeof *texts);
	*out = texts;
	if (!texts)
		return 0;
	if (lesson->title) {
		texts[count] =
			(struct lesson_text){ .text = &lesson->title, .line = lesson->title_line };
		snprintf(texts[count].context, sizeof texts[count].context, "%s:title",
			 lesson->name);
		texts[count++].field = FIELD_TITLE;
	}
	if (lesson->intro) {
		texts[count] =
			(struct lesson_text){ .text = &lesson->intro, .line = lesson->intro_line };
		snprintf(texts[count].context, sizeof texts[count].context, "%s:intro",
			 lesson->name);
		texts[count++].field = FIELD_INTRO;
	}
	for (size_t i = 0; i < lesson->step_count; i++) {
		struct lesson_step *step = &lesson->steps[i];
		const struct {
			char **text;
			int line;
			const char *field;
			enum text_field kind;
		} fields[] = { { &step->say, step->say_line, "say", FIELD_SAY },
			       { &step->then_say, step->then_say_line, "then-say",
				 FIELD_THEN_SAY } };
		for (size_t f = 0; f < 2; f++) {
			if (!*fields[f].text)
				continue;
			struct lesson_text *text = &texts[count++];
			*text = (struct lesson_text){ .text = fields[f].text,
						      .line = fields[f].line, .step = step,
						      .field = fields[f].kind,
						      .step_number = i + 1 };
			snprintf(text->context, sizeof text->context, "%s:step %zu:%s",
				 lesson->name, i + 1, fields[f].field);
		}
	}
	return count;
}

/* "no Chinese text for say: (step 6)": a whole sentence for each field,
 * so that a translation can order its words. */
static void warn_missing(struct diagnostics *warnings, struct source_pos pos, const char *language,
			 const struct lesson_text *text)
{
	switch (text->field) {
	case FIELD_TITLE:
		diagnostics_add(warnings, pos, _("no %s text for title:"), language);
		break;
	case FIELD_INTRO:
		diagnostics_add(warnings, pos, _("no %s text for intro:"), language);
		break;
	case FIELD_SAY:
		diagnostics_add(warnings, pos, _("no %s text for say: (step %zu)"), language,
				text->step_number);
		break;
	case FIELD_THEN_SAY:
		diagnostics_add(warnings, pos, _("no %s text for then-say: (step %zu)"), language,
				text->step_number);
		break;
	}
}

/* "the Chinese text for say: (step 6) is stale (fuzzy): see PO:LINE", a
 * whole sentence for each field. */
static void warn_stale(struct diagnostics *warnings, struct source_pos pos, const char *language,
		       const struct lesson_text *text, const char *why, const char *po, int line)
{
	switch (text->field) {
	case FIELD_TITLE:
		diagnostics_add(warnings, pos, _("the %s text for title: is stale (%s): see %s:%d"),
				language, why, po, line);
		break;
	case FIELD_INTRO:
		diagnostics_add(warnings, pos, _("the %s text for intro: is stale (%s): see %s:%d"),
				language, why, po, line);
		break;
	case FIELD_SAY:
		diagnostics_add(warnings, pos,
				_("the %s text for say: (step %zu) is stale (%s): see %s:%d"),
				language, text->step_number, why, po, line);
		break;
	case FIELD_THEN_SAY:
		diagnostics_add(warnings, pos,
				_("the %s text for then-say: (step %zu) is stale (%s): see %s:%d"),
				language, text->step_number, why, po, line);
		break;
	}
}

/* The live or, failing that, obsolete entry of a context. */
static const struct po_entry *find_any(const struct po_file *po, const char *context,
				       bool *obsolete)
{
	const struct po_entry *entry = po_find(po, context);
	*obsolete = false;
	for (size_t i = 0; !entry && i < po->count; i++)
		if (po->entries[i].obsolete && po->entries[i].context
		    && strcmp(po->entries[i].context, context) == 0) {
			entry = &po->entries[i];
			*obsolete = true;
		}
	return entry;
}

static void warn_unknown_entries(const struct po_file *po, const char *po_path,
				 const struct lesson_text *texts, size_t count,
				 const char *lesson_name, struct diagnostics *warnings)
{
	for (size_t i = 0; i < po->count; i++) {
		const struct po_entry *entry = &po->entries[i];
		if (entry->obsolete || !entry->context)
			continue;
		bool known = false;
		for (size_t k = 0; k < count && !known; k++)
			known = strcmp(texts[k].context, entry->context) == 0;
		if (known)
			continue;
		size_t name_len = strlen(lesson_name);
		bool ours = strncmp(entry->context, lesson_name, name_len) == 0
			&& entry->context[name_len] == ':';
		diagnostics_add(warnings, (struct source_pos){ 0, 0 },
				"%s:%d: %s '%s', which the lesson does not have", po_path,
				entry->line,
				ours ? "translates" : "names another lesson:", entry->context);
	}
}

int lesson_translate(struct lesson *lesson, enum language language, const char *po_dir,
		     struct diagnostics *warnings)
{
	if (language == LANGUAGE_EN)
		return 0;
	char *path = NULL;
	int made;
	if (po_dir) {
		made = asprintf(&path, "%s/%s.po", po_dir, lesson->name);
	} else {
		const char *slash = strrchr(lesson->path, '/');
		int dir_len = slash ? (int)(slash - lesson->path) : 1;
		made = asprintf(&path, "%.*s/%s/%s.po", dir_len, slash ? lesson->path : ".",
				language_po_name(language), lesson->name);
	}
	if (made < 0)
		return -1;
	struct po_file po;
	char *err = NULL;
	if (po_load(path, &po, &err) < 0) {
		bool missing = errno == ENOENT && !err;
		if (!missing && warnings)
			diagnostics_add(warnings, (struct source_pos){ 0, 0 }, "%s",
					err ? err : "out of memory");
		free(err);
		free(path);
		return missing ? 1 : -1;
	}
	struct lesson_text *texts;
	size_t count = lesson_texts(lesson, &texts);
	const char *name = _(language_names[language]);
	for (size_t i = 0; i < count; i++) {
		bool obsolete;
		const struct po_entry *entry = find_any(&po, texts[i].context, &obsolete);
		struct source_pos pos = { texts[i].line, 1 };
		bool current = entry && !obsolete && strcmp(entry->id, *texts[i].text) == 0;
		if (entry && !obsolete && !entry->fuzzy && current && entry->str[0]) {
			char *copy = strdup(entry->str);
			if (copy) {
				free(*texts[i].text);
				*texts[i].text = copy;
			}
		} else if (warnings && (!entry || (!entry->str[0] && current))) {
			warn_missing(warnings, pos, name, &texts[i]);
		} else if (warnings) {
			warn_stale(warnings, pos, name, &texts[i],
				   obsolete ? _("obsolete")
					   : entry->fuzzy
					   ? _("fuzzy")
					   : _("its msgid is not the English any more"),
				   path, entry->line);
		}
	}
	if (warnings)
		warn_unknown_entries(&po, path, texts, count, lesson->name, warnings);
	free(texts);
	po_file_done(&po);
	free(path);
	return 0;
}

struct lesson *lesson_load(const char *path, struct diagnostics *diag)
{
	struct lesson *lesson = lesson_load_source(path, diag);
	if (lesson)
		lesson_translate(lesson, language_current(), NULL, NULL);
	return lesson;
}

void lesson_po_write_pot(FILE *out, const struct lesson *lesson)
{
	fprintf(out,
		"# The texts of %s, for translators: msgmerge updates lessons/LL/%s.po from this.\n"
		"msgid \"\"\n"
		"msgstr \"\"\n"
		"\"Project-Id-Version: socklab lessons\\n\"\n"
		"\"MIME-Version: 1.0\\n\"\n"
		"\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
		"\"Content-Transfer-Encoding: 8bit\\n\"\n",
		lesson->name, lesson->name);
	struct lesson_text *texts;
	size_t count = lesson_texts((struct lesson *)lesson, &texts);   /* only read here */
	for (size_t i = 0; i < count; i++) {
		fputc('\n', out);
		if (texts[i].step) {
			const struct lesson_step *step = texts[i].step;
			fprintf(out, "#. %s: %s\n", lesson->sides[step->call.side],
				step->call.text);
			if (step->python)
				fprintf(out, "#. python: %s\n", step->python);
		}
		fprintf(out, "#: %s:%d\n", lesson->path, texts[i].line);
		po_write_string(out, "msgctxt", texts[i].context);
		po_write_string(out, "msgid", *texts[i].text);
		fputs("msgstr \"\"\n", out);
	}
	free(texts);
}

int lesson_po_print_pot(FILE *out, FILE *err, const char *path)
{
	struct diagnostics diag;
	diagnostics_init(&diag, path);
	struct lesson *lesson = lesson_load_source(path, &diag);
	for (size_t i = 0; i < diag.count; i++)
		fprintf(err, "%s\n", diag.messages[i]);
	if (lesson)
		lesson_po_write_pot(out, lesson);
	diagnostics_done(&diag);
	int result = lesson ? 0 : -1;
	lesson_free(lesson);
	return result;
}

void lesson_po_check(FILE *out, const char *path, enum language chosen)
{
	struct diagnostics diag, warnings;
	diagnostics_init(&diag, path);
	diagnostics_init(&warnings, path);
	struct lesson *lesson = lesson_load_source(path, &diag);
	bool translated = false;
	for (int language = LANGUAGE_ZH; lesson && language < LANGUAGE_COUNT; language++) {
		int found = lesson_translate(lesson, (enum language)language, NULL, &warnings);
		translated = translated || found == 0;
		if (found == 1 && chosen == (enum language)language)
			fprintf(out, _("%s: warning: no %s translation (%s/%s.po beside it)\n"),
				path, _(language_names[language]),
				language_po_name((enum language)language), lesson->name);
	}
	for (size_t i = 0; i < warnings.count; i++)
		fprintf(out, "%s\n", warnings.messages[i]);
	if (translated)
		fit_warn_lesson(out, lesson);   /* the translated texts at 80x24 */
	lesson_free(lesson);
	diagnostics_done(&warnings);
	diagnostics_done(&diag);
}
