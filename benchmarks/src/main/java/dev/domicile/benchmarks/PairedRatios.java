package dev.domicile.benchmarks;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.util.ListStatistics;

/**
 * Runs JMH with the given command line (the same arguments as {@code java -jar benchmarks.jar}) and, for every
 * benchmark group that pairs a method with a {@code baseline…} method run at the same time, prints the ratio of the
 * two per measurement iteration, its mean and a 99% confidence interval of the mean (Student's t over iterations).
 *
 * <p>Why: on a shared machine the load changes from second to second, so two methods measured one after the other
 * see different machines. In a group both run at once and see the same load; each iteration then yields one ratio,
 * and the spread of those ratios, not of the raw scores, says how well the ratio is known. The ratio is always
 * measured over baseline in the benchmark's own unit: for throughput below 1 means slower than the baseline, for
 * average time above 1 does.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.domicile.benchmarks.PairedRatios 'SessionStoreBenchmark.paired' -i 10
 * }</pre>
 */
public final class PairedRatios {

    private PairedRatios() {
    }

    public static void main(String[] args) throws CommandLineOptionException, RunnerException {
        Collection<RunResult> results = new Runner(new CommandLineOptions(args)).run();
        System.out.println();
        System.out.println("Paired ratios (measured / baseline, per iteration; mean and 99% CI of the mean):");
        for (RunResult run : results) {
            for (String line : report(run)) {
                System.out.println(line);
            }
        }
    }

    /** One line per (method, baseline) pair of a group benchmark; none for a benchmark that is not a pair. */
    static List<String> report(RunResult run) {
        List<String> lines = new ArrayList<>();
        String label = run.getParams().getBenchmark();
        String unit = run.getPrimaryResult().getScoreUnit();
        List<String> measured = new ArrayList<>();
        String baseline = null;
        for (String name : run.getSecondaryResults().keySet()) {
            if (name.startsWith("baseline")) {
                baseline = name;
            } else if (!name.startsWith("·")) {
                measured.add(name);
            }
        }
        if (baseline == null || measured.isEmpty()) {
            return lines;
        }
        for (String name : measured) {
            List<Double> ratios = new ArrayList<>();
            for (BenchmarkResult benchmark : run.getBenchmarkResults()) {
                for (IterationResult iteration : benchmark.getIterationResults()) {
                    Result<?> top = iteration.getSecondaryResults().get(name);
                    Result<?> bottom = iteration.getSecondaryResults().get(baseline);
                    if (top != null && bottom != null && bottom.getScore() > 0) {
                        ratios.add(top.getScore() / bottom.getScore());
                    }
                }
            }
            lines.add(format(label, name, baseline, unit, ratios));
        }
        return lines;
    }

    static String format(String label, String name, String baseline, String unit, List<Double> ratios) {
        ListStatistics statistics = new ListStatistics();
        ratios.forEach(statistics::addValue);
        String interval = "n/a (fewer than 2 iterations)";
        if (statistics.getN() >= 2) {
            double[] bounds = statistics.getConfidenceIntervalAt(0.99);
            interval = String.format(Locale.ROOT, "[%.3f, %.3f]", bounds[0], bounds[1]);
        }
        return String.format(Locale.ROOT, "%s  %s / %s (%s): mean %.3f, 99%% CI %s, min %.3f, max %.3f, %d iterations",
                label, name, baseline, unit, statistics.getMean(), interval, statistics.getMin(), statistics.getMax(),
                statistics.getN());
    }
}
