package dev.relato.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs one workload's rounds for several subjects, interleaved: warm-up rounds, then measured rounds, each
 * round running every subject once, in an order that alternates from round to round so that neither side
 * always runs first (on a warmer cache, or after the other's garbage). Each figure is the median of the
 * measured rounds. Not thread-safe; a round may use threads of its own.
 */
final class Rounds {
    private Rounds() {
    }

    /** One round of one subject: returns its figures (a rate, a time, a count …), the same number each round. */
    @FunctionalInterface
    interface Round {
        /**
         * @param index the round's number, warm-ups included, from 0: distinct rounds must not share streams
         */
        double[] run(int index) throws Exception;
    }

    /**
     * @return for each subject, for each figure, its median over the measured rounds
     */
    static double[][] medians(int warmups, int rounds, List<Round> subjects) {
        List<List<double[]>> measured = measured(warmups, rounds, subjects);
        double[][] medians = new double[subjects.size()][];
        for (int s = 0; s < medians.length; s++) {
            medians[s] = medianOf(measured.get(s));
        }
        return medians;
    }

    /**
     * @return for each subject, the figures of each measured round, in round order: the {@code i}-th round of every
     *         subject ran next to the others' {@code i}-th, so they can be compared pair by pair
     */
    static List<List<double[]>> measured(int warmups, int rounds, List<Round> subjects) {
        int n = subjects.size();
        List<List<double[]>> measured = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            measured.add(new ArrayList<>());
        }
        for (int r = 0; r < warmups + rounds; r++) {
            for (int k = 0; k < n; k++) {
                int s = r % 2 == 0 ? k : n - 1 - k;
                double[] figures;
                try {
                    figures = subjects.get(s).run(r);
                } catch (Exception e) {
                    throw new IllegalStateException("round " + r + " failed: " + e, e);
                }
                if (r >= warmups) {
                    measured.get(s).add(figures);
                }
            }
        }
        return measured;
    }

    /** Figure by figure, the median of the rounds. */
    static double[] medianOf(List<double[]> rounds) {
        int figures = rounds.get(0).length;
        double[] result = new double[figures];
        for (int f = 0; f < figures; f++) {
            double[] values = new double[rounds.size()];
            for (int r = 0; r < values.length; r++) {
                values[r] = rounds.get(r)[f];
            }
            result[f] = median(values);
        }
        return result;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** Events per second for {@code events} done in {@code nanos}. */
    static double rate(long events, long nanos) {
        return events * 1e9 / nanos;
    }
}
