package dev.mailtls.it.dnsbench;

import dev.mailtls.dns.DestinationResolver;
import dev.mailtls.dns.DnsSettings;
import dev.mailtls.dns.DnssecMode;
import dev.mailtls.dns.DnssecResolver;
import dev.mailtls.dns.HostLookup;
import dev.mailtls.dns.TlsaOutcome;
import dev.mailtls.it.bed.TestBed;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How long a cold TLSA lookup takes in each DNS mode, against the bed's real, validating Unbound:
 * {@code validate} (dnsjava checks every signature itself, from the bed's trust anchor, and so
 * also asks for the DNSKEY and DS records of the chain) and {@code trust-ad} (Unbound validates,
 * its AD bit is trusted). A benchmark program, not a test: it needs root and the bed's daemons,
 * and it reports times rather than asserting them.
 *
 * <p>Each round makes a fresh {@link DnssecResolver} per mode, so its cache is empty, and times
 * one {@link DestinationResolver#lookupHost(String, int)} of {@code mx.dane-ok.test:25} (A and AAAA
 * in parallel, then TLSA). The two modes alternate within each round, in a different order each
 * round, so that a slow moment of the shared machine hits both alike; Unbound's own cache is warm
 * after the warm-up rounds, so the times are the client's work plus loopback round trips. Making
 * the resolver (thread pool, trust anchors) is not timed. A lookup whose outcome is not "TLSA
 * usable, authentication required" is counted and reported, and fails the run.
 *
 * <p>Usage (see docs/performance.md for the class path):
 * {@code java -cp ... dev.mailtls.it.dnsbench.ColdTlsaLookupBenchmark [rounds [warm-up rounds]]},
 * defaults 200 and 30.
 */
public final class ColdTlsaLookupBenchmark {
  private static final String HOST = "mx.dane-ok.test";
  private static final int PORT = 25;

  private ColdTlsaLookupBenchmark() {
  }

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int warmUp = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int status;
    try {
      status = run(TestBed.shared(), rounds, warmUp);
    } catch (RuntimeException e) {
      e.printStackTrace();
      status = 2;
    }
    // The bed stops in its shutdown hook.
    System.exit(status);
  }

  private static int run(TestBed bed, int rounds, int warmUp) {
    Map<DnssecMode, List<Long>> times = new EnumMap<>(DnssecMode.class);
    Map<DnssecMode, List<String>> failures = new EnumMap<>(DnssecMode.class);
    for (DnssecMode mode : DnssecMode.values()) {
      times.put(mode, new ArrayList<>());
      failures.put(mode, new ArrayList<>());
    }
    List<Double> pairedRatios = new ArrayList<>();
    DnssecMode[] forward = {DnssecMode.VALIDATE, DnssecMode.TRUST_AD};
    DnssecMode[] backward = {DnssecMode.TRUST_AD, DnssecMode.VALIDATE};
    for (int round = 0; round < warmUp + rounds; round++) {
      Map<DnssecMode, Long> thisRound = new EnumMap<>(DnssecMode.class);
      for (DnssecMode mode : round % 2 == 0 ? forward : backward) {
        long nanos = timeColdLookup(bed, mode, failures.get(mode));
        if (round >= warmUp) {
          times.get(mode).add(nanos);
          thisRound.put(mode, nanos);
        }
      }
      if (round >= warmUp) {
        pairedRatios.add((double) thisRound.get(DnssecMode.VALIDATE) / thisRound.get(DnssecMode.TRUST_AD));
      }
    }
    report(rounds, warmUp, times, failures, pairedRatios);
    return failures.values().stream().allMatch(List::isEmpty) ? 0 : 1;
  }

  /** Wall time of one lookup on a resolver with an empty cache, in nanoseconds. */
  private static long timeColdLookup(TestBed bed, DnssecMode mode, List<String> failures) {
    DnsSettings settings = new DnsSettings(List.of(bed.resolverAddress()), mode, bed.trustAnchorDs(),
        "the bed's trust anchor", 5000);
    try (DnssecResolver dns = DnssecResolver.create(settings)) {
      DestinationResolver destinations = new DestinationResolver(dns);
      long start = System.nanoTime();
      HostLookup lookup = destinations.lookupHost(HOST, PORT);
      long nanos = System.nanoTime() - start;
      if (lookup.tlsa().kind() != TlsaOutcome.Kind.AUTHENTICATION_REQUIRED) {
        failures.add(lookup.toString());
      }
      return nanos;
    }
  }

  private static void report(int rounds, int warmUp, Map<DnssecMode, List<Long>> times,
      Map<DnssecMode, List<String>> failures, List<Double> pairedRatios) {
    System.out.printf(Locale.ROOT, "Cold TLSA lookup of %s:%d (A, AAAA, TLSA) on a fresh resolver, against Unbound;"
        + " %d rounds after %d warm-up rounds, modes alternating%n", HOST, PORT, rounds, warmUp);
    System.out.printf(Locale.ROOT, "Java %s, %d processors%n", Runtime.version(),
        Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "%-9s %9s %9s %9s %9s %9s%n", "mode", "min ms", "median ms", "p90 ms", "max ms",
        "failures");
    for (DnssecMode mode : DnssecMode.values()) {
      List<Long> sorted = sorted(times.get(mode));
      System.out.printf(Locale.ROOT, "%-9s %9.3f %9.3f %9.3f %9.3f %9d%n", mode.configName(), millis(sorted.get(0)),
          millis(percentile(sorted, 50)), millis(percentile(sorted, 90)), millis(sorted.get(sorted.size() - 1)),
          failures.get(mode).size());
    }
    List<Long> validate = sorted(times.get(DnssecMode.VALIDATE));
    List<Long> trustAd = sorted(times.get(DnssecMode.TRUST_AD));
    List<Double> ratios = new ArrayList<>(pairedRatios);
    Collections.sort(ratios);
    System.out.printf(Locale.ROOT, "ratio validate/trust-ad: medians %.2f, p90s %.2f; per round: median %.2f"
        + " (p10 %.2f, p90 %.2f)%n",
        (double) percentile(validate, 50) / percentile(trustAd, 50),
        (double) percentile(validate, 90) / percentile(trustAd, 90),
        percentile(ratios, 50), percentile(ratios, 10), percentile(ratios, 90));
    for (Map.Entry<DnssecMode, List<String>> failed : failures.entrySet()) {
      for (String failure : failed.getValue()) {
        System.out.println("FAILED " + failed.getKey() + ": " + failure);
      }
    }
  }

  private static List<Long> sorted(List<Long> values) {
    List<Long> copy = new ArrayList<>(values);
    Collections.sort(copy);
    return copy;
  }

  /** The nearest-rank percentile of sorted values. */
  private static <T> T percentile(List<T> sorted, int percent) {
    int rank = (int) Math.ceil(percent / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  private static double millis(long nanos) {
    return nanos / 1e6;
  }
}
