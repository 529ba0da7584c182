/* SPDX-License-Identifier: MIT */
/*
 * args.c: echoes argv and the environment as "# " lines and checks their
 * counts against HUSK_EXPECT_ARGC and HUSK_EXPECT_ENV_COUNT when set, so
 * host tests can run it with known arguments and compare.
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static int g_argc;
static char **g_argv;
static char **g_envp;

/* Parses a non-negative decimal count; -1 if "s" is not one. */
static long parse_count(const char *s)
{
    char *end;
    long v;

    if (!s || !*s)
        return -1;
    v = strtol(s, &end, 10);
    return *end || v < 0 ? -1 : v;
}

/* Prints "# <label><s>" with control characters and backslash escaped
 * (\n, \t, \\, \xNN), so an argument can never break a TAP line. */
static void diag_escaped(const char *label, const char *s)
{
    fputs("# ", stdout);
    fputs(label, stdout);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\\')
            fputs("\\\\", stdout);
        else if (*p == '\n')
            fputs("\\n", stdout);
        else if (*p == '\t')
            fputs("\\t", stdout);
        else if (*p < 0x20 || *p == 0x7f)
            printf("\\x%02x", *p);
        else
            fputc(*p, stdout);
    }
    fputc('\n', stdout);
}

static void test_argv(void)
{
    CHECK(g_argc >= 1, "argc = %d", g_argc);
    CHECK(g_argv[g_argc] == NULL, "argv[argc] is not NULL");
    for (int i = 0; i < g_argc; i++) {
        char label[32];

        snprintf(label, sizeof(label), "argv[%d]=", i);
        if (CHECK(g_argv[i] != NULL, "argv[%d] is NULL", i))
            diag_escaped(label, g_argv[i]);
    }
}

static void test_env(void)
{
    for (char **e = g_envp; *e; e++) {
        CHECK(strchr(*e, '=') != NULL, "env entry without '='");
        diag_escaped("env: ", *e);
    }
}

static void test_expect_argc(void)
{
    const char *s = getenv("HUSK_EXPECT_ARGC");
    long want = parse_count(s);

    if (!s)
        SKIP("HUSK_EXPECT_ARGC not set");
    if (!CHECK(want >= 0, "HUSK_EXPECT_ARGC=\"%s\" is not a count", s))
        return;
    CHECK(g_argc == want, "argc = %d, HUSK_EXPECT_ARGC = %ld", g_argc, want);
}

static void test_expect_env_count(void)
{
    const char *s = getenv("HUSK_EXPECT_ENV_COUNT");
    long want = parse_count(s), n = 0;

    if (!s)
        SKIP("HUSK_EXPECT_ENV_COUNT not set");
    if (!CHECK(want >= 0, "HUSK_EXPECT_ENV_COUNT=\"%s\" is not a count", s))
        return;
    for (char **e = g_envp; *e; e++)
        n++;
    CHECK(n == want, "%ld env vars, HUSK_EXPECT_ENV_COUNT = %ld", n, want);
}

static const struct tap_test tests[] = {
    {"argv entries", test_argv},
    {"environment entries", test_env},
    {"argc matches HUSK_EXPECT_ARGC", test_expect_argc},
    {"env count matches HUSK_EXPECT_ENV_COUNT", test_expect_env_count},
};

int main(int argc, char **argv, char **envp)
{
    g_argc = argc;
    g_argv = argv;
    g_envp = envp;
    return tap_run(tests, TAP_COUNT(tests));
}
