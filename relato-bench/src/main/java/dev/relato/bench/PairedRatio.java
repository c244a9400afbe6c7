package dev.relato.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One subject's figure divided by another's, round by round (each pair ran next to each other, so a slow moment of
 * the machine weighs on both), summarised by the median ratio and its spread: the quartiles and the extremes.
 * Immutable and thread-safe.
 *
 * @param base   the median of the base subject's figure
 * @param other  the median of the other subject's figure
 * @param median the median of the rounds' ratios, other / base
 * @param q1     the lower quartile of the ratios
 * @param q3     the upper quartile of the ratios
 * @param min    the smallest ratio
 * @param max    the largest ratio
 */
record PairedRatio(double base, double other, double median, double q1, double q3, double min, double max) {

    /** Figure {@code figure} of {@code other}'s rounds divided by {@code base}'s, pair by pair. */
    static PairedRatio of(List<double[]> base, List<double[]> other, int figure) {
        if (base.size() != other.size() || base.isEmpty()) {
            throw new IllegalArgumentException("paired rounds differ in number: " + base.size() + " and "
                    + other.size());
        }
        double[] ratios = new double[base.size()];
        double[] baseFigures = new double[base.size()];
        double[] otherFigures = new double[base.size()];
        for (int r = 0; r < ratios.length; r++) {
            baseFigures[r] = base.get(r)[figure];
            otherFigures[r] = other.get(r)[figure];
            ratios[r] = otherFigures[r] / baseFigures[r];
        }
        double[] sorted = ratios.clone();
        Arrays.sort(sorted);
        return new PairedRatio(Rounds.median(baseFigures), Rounds.median(otherFigures), Rounds.median(ratios),
                quantile(sorted, 0.25), quantile(sorted, 0.75), sorted[0], sorted[sorted.length - 1]);
    }

    /** The {@code q}-quantile of sorted values, interpolated linearly. */
    private static double quantile(double[] sorted, double q) {
        double at = q * (sorted.length - 1);
        int low = (int) Math.floor(at);
        int high = Math.min(low + 1, sorted.length - 1);
        return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
    }

    /** The spread as text: {@code quartiles 0.91–0.97, range 0.85–1.02}. */
    String spread() {
        return String.format(Locale.ROOT, "quartiles %.2f–%.2f, range %.2f–%.2f", q1, q3, min, max);
    }
}
