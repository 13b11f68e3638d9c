/* clock.h — the wall clock, read only by the front end; core gets the time
 * as an argument. */
#ifndef CUTOVER_CLOCK_H
#define CUTOVER_CLOCK_H

#include <stdint.h>

int64_t clock_now_ms(void);

#endif
