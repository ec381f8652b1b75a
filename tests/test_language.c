/* Tests of language: --lang, the environment as gettext reads it, and
 * Chinese refused without a UTF-8 codeset. Each Criterion test runs in a
 * process of its own, so setenv here touches no other test. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "language.h"

static void clear_locale_environment(void)
{
	const char *const names[] = { "LANGUAGE", "LC_ALL", "LC_MESSAGES",
				      "LC_CTYPE", "LANG",   "SOCKLAB_LANGUAGE" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		unsetenv(names[i]);
}

Test(language, reads_the_names_gettext_uses_for_simplified_chinese)
{
	const char *const chinese[] = { "zh",         "zh_CN", "zh_CN.UTF-8", "zh_SG",
					"zh_SG.utf8", "zh-CN", "zh_CN@x" };
	for (size_t i = 0; i < sizeof chinese / sizeof chinese[0]; i++)
		cr_expect_eq(language_from_name(chinese[i]), LANGUAGE_ZH, "%s", chinese[i]);
	cr_expect_eq(language_from_name("en_US.UTF-8"), LANGUAGE_EN);
	cr_expect_eq(language_from_name("en"), LANGUAGE_EN);
	/* Traditional Chinese has no translation; other languages none either. */
	cr_expect_eq(language_from_name("zh_TW.UTF-8"), -1);
	cr_expect_eq(language_from_name("zh_HK"), -1);
	cr_expect_eq(language_from_name("fr_FR.UTF-8"), -1);
	cr_expect_eq(language_from_name("zhx"), -1);
	cr_expect_eq(language_from_name(NULL), -1);
}

Test(language, follows_lang_lc_messages_and_lc_all_in_gettexts_order)
{
	clear_locale_environment();
	cr_expect_eq(language_choose(NULL, true, NULL), LANGUAGE_EN, "no locale at all");
	setenv("LANG", "zh_CN.UTF-8", 1);
	cr_expect_eq(language_choose(NULL, true, NULL), LANGUAGE_ZH);
	setenv("LC_MESSAGES", "en_US.UTF-8", 1);
	cr_expect_eq(language_choose(NULL, true, NULL), LANGUAGE_EN, "LC_MESSAGES before LANG");
	setenv("LC_ALL", "zh_SG.UTF-8", 1);
	cr_expect_eq(language_choose(NULL, true, NULL), LANGUAGE_ZH, "LC_ALL before LC_MESSAGES");
	setenv("LC_ALL", "", 1);
	cr_expect_eq(language_choose(NULL, true, NULL), LANGUAGE_EN,
		     "an empty LC_ALL counts as unset");
}

Test(language, takes_the_first_known_language_of_language_unless_the_locale_is_c)
{
	clear_locale_environment();
	setenv("LANG", "en_US.UTF-8", 1);
	setenv("LANGUAGE", "fr:zh_CN:en", 1);
	cr_expect_eq(language_choose(NULL, true, NULL), LANGUAGE_ZH,
		     "fr is unknown, zh_CN is next");
	setenv("LANGUAGE", "en:zh", 1);
	cr_expect_eq(language_choose(NULL, true, NULL), LANGUAGE_EN);
	/* gettext ignores LANGUAGE when the locale is C. */
	setenv("LANGUAGE", "zh", 1);
	setenv("LANG", "C", 1);
	cr_expect_eq(language_choose(NULL, true, NULL), LANGUAGE_EN);
}

Test(language, the_flag_overrides_the_environment)
{
	clear_locale_environment();
	setenv("LANG", "zh_CN.UTF-8", 1);
	cr_expect_eq(language_choose("en", true, NULL), LANGUAGE_EN);
	setenv("LANG", "C.UTF-8", 1);
	cr_expect_eq(language_choose("zh", true, NULL), LANGUAGE_ZH);
}

Test(language, refuses_chinese_without_utf8_in_one_line)
{
	clear_locale_environment();
	setenv("LANG", "zh_CN.GB2312", 1);
	char *said = NULL;
	size_t size = 0;
	FILE *warn = open_memstream(&said, &size);
	cr_assert_not_null(warn);
	cr_expect_eq(language_choose(NULL, false, warn), LANGUAGE_EN);
	cr_expect_eq(language_choose("zh", false, warn), LANGUAGE_EN);
	cr_expect_eq(language_choose("en", false, warn), LANGUAGE_EN);
	fclose(warn);
	const char line[] =
		"socklab: Chinese needs a UTF-8 locale (LANG=zh_CN.UTF-8); using English\n";
	char expected[256];
	/* once per refusal; English asks for nothing */
	snprintf(expected, sizeof expected, "%s%s", line, line);
	cr_expect_str_eq(said, expected);
	free(said);
}

Test(language, takes_the_flag_out_of_the_command_line)
{
	char *argv[] = { "socklab", "--lang", "zh",     "run", "--plain", "--lang=en",
			 "01",      "--",     "--lang", "x",   NULL };
	int argc = 10;
	const char *flag = NULL;
	char *err = NULL;
	cr_assert_eq(language_take_flag(&argc, argv, &flag, &err), 0);
	cr_expect_str_eq(flag, "en", "the last one counts");
	cr_assert_eq(argc, 7);
	const char *const rest[] = { "socklab", "run", "--plain", "01", "--", "--lang", "x" };
	for (int i = 0; i < argc; i++)
		cr_expect_str_eq(argv[i], rest[i]);
	cr_expect_null(argv[argc]);
}

Test(language, refuses_a_missing_or_unknown_value)
{
	char *missing[] = { "socklab", "list", "--lang", NULL };
	int argc = 3;
	const char *flag = NULL;
	char *err = NULL;
	cr_expect_eq(language_take_flag(&argc, missing, &flag, &err), -1);
	cr_expect_str_eq(err, "--lang needs a value: zh or en");
	free(err);
	char *unknown[] = { "socklab", "--lang", "fr", "list", NULL };
	argc = 4;
	cr_expect_eq(language_take_flag(&argc, unknown, &flag, &err), -1);
	cr_expect_str_eq(err, "--lang fr: socklab speaks zh (Simplified Chinese) and en");
	free(err);
}

Test(language, exports_the_choice_for_the_modules_that_load_lessons)
{
	clear_locale_environment();
	cr_expect_eq(language_current(), LANGUAGE_EN,
		     "a library user that sets nothing gets English");
	i18n_use(LANGUAGE_ZH);
	cr_expect_eq(language_current(), LANGUAGE_ZH);
	i18n_use(LANGUAGE_EN);
	cr_expect_eq(language_current(), LANGUAGE_EN);
}
