// The cost of an experiment resumed across invocations: compute and active
// wall time from run folders (attn/io/run_cost.h).
#include <catch2/catch.hpp>

#include "attn/core/error.h"
#include "attn/io/run_cost.h"
#include "temp_dir.h"

using attn::io::RunSpan;

TEST_CASE("run_cost: compute sums the runs, active time is the union of their spans", "[io][cost]") {
  // Two workers overlapping for 100 s, then a break of an hour (the session
  // ended), then one run alone; a 30 s setup gap is bridged, a 2 min one not.
  const std::vector<RunSpan> spans = {{1000, 200}, {1100, 300}, {5000, 100}, {5130, 70}, {5320, 10}};
  const auto cost = attn::io::run_cost(spans);
  CHECK(cost.runs == 5);
  CHECK(cost.worker_seconds == Approx(680));
  // [1000, 1400] + [5000, 5200] (gap 5100..5130 bridged) + [5320, 5330].
  CHECK(cost.active_seconds == Approx(400 + 200 + 10));
  CHECK(cost.stretches == 3);
  // Order does not matter; bridging nothing counts the 30 s gap out.
  const auto strict = attn::io::run_cost({spans[4], spans[2], spans[0], spans[3], spans[1]}, 0);
  CHECK(strict.active_seconds == Approx(400 + 100 + 70 + 10));
  CHECK(strict.stretches == 4);
  CHECK(attn::io::run_cost({}).active_seconds == 0);
  CHECK(attn::io::run_cost({}).stretches == 0);
}

TEST_CASE("read_run_spans: finished runs from run.json and done, malformed files named", "[io][cost]") {
  attn_test::TempDir tmp("run_cost");
  const std::string record = "{\n  \"seed\": 1,\n  \"started_utc\": \"2026-11-22T04:24:50Z\"\n}\n";
  tmp.write("exp/trials/a/trial_000/run.json", record);
  tmp.write("exp/trials/a/trial_000/done", "213.3 s\n");
  tmp.write("exp/trials/b/trial_000/run.json", record);  // still running: no done marker
  const auto spans = attn::io::read_run_spans(tmp / "exp");
  REQUIRE(spans.size() == 1);
  CHECK(spans[0].seconds == Approx(213.3));
  CHECK(spans[0].start == Approx(1795321490.0));  // date -u -d 2026-11-22T04:24:50Z +%s
  CHECK(attn::io::read_run_spans(tmp / "missing").empty());

  tmp.write("exp/trials/b/trial_000/done", "fast\n");
  CHECK_THROWS_WITH(attn::io::read_run_spans(tmp / "exp"),
                    Catch::Contains("trial_000/done") && Catch::Contains("expected '<seconds> s'"));
  tmp.write("exp/trials/b/trial_000/done", "10 s\n");
  tmp.write("exp/trials/b/trial_000/run.json", "{\"started_utc\": \"yesterday\"}");
  CHECK_THROWS_WITH(attn::io::read_run_spans(tmp / "exp"),
                    Catch::Contains("run.json") && Catch::Contains("started_utc"));
}

TEST_CASE("format_duration and format_run_costs", "[io][cost]") {
  CHECK(attn::io::format_duration(12.34) == "12.3 s");
  CHECK(attn::io::format_duration(245) == "4 min 05 s");
  CHECK(attn::io::format_duration(3 * 3600 + 12 * 60 + 10) == "3 h 12 min");
  const auto table = attn::io::format_run_costs({{"screening", {{0, 100}, {50, 100}}}, {"trials", {{4000, 3500}}}});
  CHECK_THAT(table, Catch::Contains("| screening | 2 | 3 min 20 s | 2 min 30 s | 1 |") &&
                        Catch::Contains("| trials | 1 | 58 min 20 s | 58 min 20 s | 1 |") &&
                        Catch::Contains("| all | 3 | 1 h 02 min | 1 h 01 min | 2 |"));
}
