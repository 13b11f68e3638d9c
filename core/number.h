/* number.h — numbers from outside text, read the same whatever the
 * process's locale (ncurses needs setlocale(LC_ALL, ""), and in a comma
 * locale plain strtod would read "0.5" as 0). */
#ifndef CUTOVER_NUMBER_H
#define CUTOVER_NUMBER_H

/* strtod in the "C" locale: same contract as strtod(3). */
double number_strtod(const char *s, char **end);

/* Parses the whole of s as a float, accepting what Go's
 * strconv.ParseFloat accepts for Prometheus values: decimal and exponent
 * forms, "NaN", "+Inf", "-Inf", "Inf" (any case). Returns 0, or -1 when s
 * is empty or has anything else. */
int number_parse(const char *s, double *out);

#endif
