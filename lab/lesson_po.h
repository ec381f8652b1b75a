/* lesson_po — a lesson's texts in another language, from PO files.
 *
 * The texts of lessons/NN-name.lesson in Simplified Chinese live in
 * lessons/zh_CN/NN-name.po, one PO file per lesson (a translator edits
 * one file; translators of different lessons never touch the same one).
 * Each text is one entry: msgctxt names it, msgid is the English as the
 * lesson file has it, msgstr the translation:
 *
 *     msgctxt "01-echo:title"              the title
 *     msgctxt "01-echo:intro"              the intro
 *     msgctxt "01-echo:step 6:say"         step 6's say:
 *     msgctxt "01-echo:step 6:then-say"    step 6's then-say:
 *
 * A translation counts only while its msgid is the lesson's English and
 * it is not fuzzy: when the English changes, msgmerge marks it fuzzy (and
 * this reader, even without msgmerge, sees the msgid differ), and the
 * English shows until a translator has looked again. Calls, expectations
 * and Python lines are never translated. */
#ifndef SOCKLAB_LESSON_PO_H
#define SOCKLAB_LESSON_PO_H

#include <stdio.h>

#include "language.h"
#include "lesson.h"

/* Replaces the lesson's title, intro, say: and then-say: texts with their
 * translations into `language` found in PO_DIR/NAME.po, where PO_DIR is
 * `po_dir`, or the lesson file's directory + "/zh_CN" when NULL. Texts
 * without a usable translation keep their English. With `warnings`, each
 * such text is a warning there ("no Chinese text for say:", "stale"), as
 * is an entry for a text the lesson no longer has. English does nothing.
 * Returns 1 when there is no PO file for the lesson, -1 when the PO file
 * is broken (the message in warnings), else 0. */
int lesson_translate(struct lesson *lesson, enum language language, const char *po_dir,
		     struct diagnostics *warnings);

/* lesson_load_source, then the texts of the language main chose
 * (language_current()), silently: English is kept where there is none. */
struct lesson *lesson_load(const char *path, struct diagnostics *diag);

/* Writes the lesson's texts as a PO template (the .pot from which
 * msgmerge updates NAME.po), entries in the lesson's order. */
void lesson_po_write_pot(FILE *out, const struct lesson *lesson);

/* `socklab lesson-pot FILE`: loads the lesson file (its English) and
 * writes its template to out; the lesson's problems go to err. Returns 0,
 * or -1 when the lesson does not load. */
int lesson_po_print_pot(FILE *out, FILE *err, const char *path);

/* `socklab check`'s translation warnings for one lesson file, to out: each
 * text with no Chinese or a stale one, each entry for a text the lesson no
 * longer has, each translated text that does not fit 80x24 (fit.h). Only
 * for a lesson with a PO file, unless `chosen` is that language: then a
 * lesson without one gets a line saying so. A lesson that does not load
 * says nothing here (check reports it). */
void lesson_po_check(FILE *out, const char *path, enum language chosen);

#endif
