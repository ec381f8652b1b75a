/* i18n — the interface's own words through gettext (domain "socklab").
 *
 * _("text") is a word the user reads, translated where po/<lang>.po has it;
 * N_("text") only marks a string in a table for xgettext, the reader calls
 * _() on it where it prints. Errno names, call names, constants and TCP
 * state names are never marked: they stay as the kernel writes them. */
#ifndef SOCKLAB_I18N_H
#define SOCKLAB_I18N_H

#include <libintl.h>

#include "language.h"

#define _(s) gettext(s)
#define N_(s) (s)

/* Speaks `language` from now on: exports the choice for language_current()
 * (SOCKLAB_LANGUAGE) and binds the domain: the build tree's locale/ beside
 * the running binary when it holds the catalogue, else the installed
 * locale directory. For Chinese sets LANGUAGE=zh_CN and a non-C
 * LC_MESSAGES (gettext ignores LANGUAGE in the C locale), and the C
 * library's messages (strerror) in Chinese only when the environment itself
 * asks for Chinese; for English the C locale, so every msgid prints as
 * written whatever the environment says. */
void i18n_use(enum language language);

#endif
