/* test_backfill.c — the backfill's pacing decisions, which take the time
 * as arguments: the batch size moving toward a target batch time, and the
 * rate limit as the earliest start of the next batch. */
#include "check.h"
#include "core/backfill.h"

TEST(the_batch_grows_toward_the_target_time_at_most_doubling)
{
    CHECK(backfill_next_size(1000, 50, 200, 100, 200000) == 2000);   /* 4× too fast: doubles */
    CHECK(backfill_next_size(1000, 150, 200, 100, 200000) == 1333);
    CHECK(backfill_next_size(1000, 0, 200, 100, 200000) == 2000);    /* too fast to measure */
    CHECK(backfill_next_size(150000, 10, 200, 100, 200000) == 200000);
}

TEST(the_batch_shrinks_when_slow_at_most_halving)
{
    CHECK(backfill_next_size(1000, 400, 200, 100, 200000) == 500);
    CHECK(backfill_next_size(1000, 5000, 200, 100, 200000) == 500);
    CHECK(backfill_next_size(150, 5000, 200, 100, 200000) == 100);   /* never under the floor */
}

TEST(the_rate_limit_spaces_batches)
{
    CHECK(backfill_pace(10000, 0, 1000) == 10000);
    CHECK(backfill_pace(10000, 500, 1000) == 10500);   /* 500 rows at 1000/s: half a second */
    CHECK(backfill_pace(10000, 30000, 20000) == 11500);
    CHECK(backfill_pace(10000, 1000000, 0) == 10000);  /* no limit */
}

RUN_TESTS(T(the_batch_grows_toward_the_target_time_at_most_doubling),
          T(the_batch_shrinks_when_slow_at_most_halving), T(the_rate_limit_spaces_batches))
