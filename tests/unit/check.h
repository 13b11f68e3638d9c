/* check.h — the unit tests' tiny harness.
 * Each test file is its own program: TEST() functions, CHECK() assertions,
 * and a main built by RUN_TESTS() that prints one line per test and closes
 * with "N passed, N failed" (the line tests/run.sh adds up). */
#ifndef CUTOVER_CHECK_H
#define CUTOVER_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failed_in_test;

#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            printf("  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__,       \
                   #cond);                                                 \
            check_failed_in_test = 1;                                      \
        }                                                                  \
    } while (0)

#define CHECK_STR(a, b)                                                    \
    do {                                                                   \
        const char *check_a_ = (a), *check_b_ = (b);                       \
        if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {   \
            printf("  %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__,       \
                   check_a_ ? check_a_ : "(null)",                         \
                   check_b_ ? check_b_ : "(null)");                        \
            check_failed_in_test = 1;                                      \
        }                                                                  \
    } while (0)

#define TEST(name) static void name(void)

typedef void (*check_test_fn)(void);
struct check_test {
    const char *name;
    check_test_fn fn;
};

#define T(name) {#name, name}

/* RUN_TESTS(T(a), T(b), ...) defines main(). */
#define RUN_TESTS(...)                                                     \
    int main(void)                                                         \
    {                                                                      \
        static const struct check_test tests_[] = {__VA_ARGS__};           \
        int passed_ = 0, failed_ = 0;                                      \
        for (size_t i_ = 0; i_ < sizeof tests_ / sizeof tests_[0]; i_++) { \
            check_failed_in_test = 0;                                      \
            tests_[i_].fn();                                               \
            printf("%s %s\n", check_failed_in_test ? "FAIL" : "ok  ",      \
                   tests_[i_].name);                                       \
            if (check_failed_in_test)                                      \
                failed_++;                                                 \
            else                                                           \
                passed_++;                                                 \
            fflush(stdout);                                                \
        }                                                                  \
        printf("%d passed, %d failed\n", passed_, failed_);                \
        return failed_ ? 1 : 0;                                            \
    }

#endif
