#!/usr/bin/env Rscript
# Golden reference values from R's survey package for listening's yl.change.
#
# Run by hand (CI does not need R), after writing the two waves with export_change.py:
#     cd tests/golden && ../../.venv/bin/python export_change.py && Rscript make_golden_change.R
#
# Reads change_after.csv (2025), change_before.csv (2024) and each wave's margins
# (change_margins_after.csv, change_margins_before.csv); writes change.json.
#
# Harmonisation (as sample_data/wave2024/harmonise.yaml declares): 2024's places_to_go is
# 2025's good_places; 2024's trusted_adult option "Unsure" is 2025's "Not sure".
#
# How each figure is obtained (the definition tests/test_change.py holds Python to):
#   stacked     the two waves in one data frame; strata = wave x district, clusters =
#               wave x school (kept apart by wave), equal weights:
#               svydesign(ids = ~psu, strata = ~stratum, data = stacked)
#   raked       the stacked design raked on each wave's margins crossed with wave:
#               calibrate(stacked, ~ m1 + m2, calfun = "raking"), m1 = wave x district x
#               age_band, m2 = wave x district x sex, totals from each wave's margins
#   jackknife   each wave's own replicate design, rake(as.svrepdesign(wave, type = "JKn"))
#               (every replicate re-raked), shares by svyby(covmat = TRUE) on each, and
#               the variance of the difference the sum of the two waves' variances. (The
#               stacked replicate design would centre every replicate on the mean of all
#               of both waves' replicates, which differs by about 1e-4 relative: a
#               wave's estimate stays at its full-sample value on the other wave's
#               replicates.)
#   estimates   svyby(~factor(q), ~wave [+ district], subset(design, !is.na(q)), svymean,
#               covmat = TRUE), then svycontrast of after minus before: for an option its
#               share, for a net the sum of its members' shares. On the raked
#               linearization design svyby(covmat = TRUE) fails in survey 4.1, so the same
#               contrasts come from svytotal of the domain indicators and counts
#               (svycontrast of z_after / n_after - z_before / n_before, delta method),
#               which the script checks equals svyby on the unraked design.
#   df          linearization: degf(subset(stacked, group & !is.na(q))) (= the sum of the
#               two waves' domain df); jackknife: the sum over the waves of
#               degf(subset(<the wave's own raked JKn design>, group & !is.na(q)))
#   interval    difference -/+ qt(1 - (1 - level) / 2, df) * se;
#   p_value     2 * pt(-|difference / se|, df)
# The script also checks that each difference's variance equals the sum of the two waves'
# variances from their own separate designs.
# Numbers are written with 17 significant digits; NaN as "NaN", NA as null.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})
stopifnot(packageVersion("survey") >= "4.1")
source("golden_lib.R")

options(
  survey.replicates.mse = FALSE,
  survey.lonely.psu = "fail",
  survey.adjust.domain.lonely = FALSE,
  warn = 1
)

# ---------------------------------------------------------------------------
# The waves, harmonised
# ---------------------------------------------------------------------------

QUESTIONS <- list(
  safe_dark = list(before = "safe_dark", relabel = c(),
                   options = c("Very safe", "Fairly safe", "Fairly unsafe", "Very unsafe"),
                   nets = list("Feel safe" = c("Very safe", "Fairly safe"),
                               "Feel unsafe" = c("Fairly unsafe", "Very unsafe"))),
  seen_knife = list(before = "seen_knife", relabel = c(), options = c("Yes", "No"),
                    nets = list()),
  trusted_adult = list(before = "trusted_adult", relabel = c(Unsure = "Not sure"),
                       options = c("Yes", "No", "Not sure"), nets = list()),
  good_places = list(before = "places_to_go", relabel = c(),
                     options = c("Strongly agree", "Agree", "Neither agree nor disagree",
                                 "Disagree", "Strongly disagree"),
                     nets = list("Agree (net)" = c("Strongly agree", "Agree"),
                                 "Disagree (net)" = c("Disagree", "Strongly disagree")))
)
DESIGN <- c("district", "school", "age_band", "sex")

read_wave <- function(file, wave, before) {
  df <- read.csv(file, stringsAsFactors = FALSE, na.strings = "NA", check.names = FALSE)
  out <- df[DESIGN]
  for (q in names(QUESTIONS)) {
    spec <- QUESTIONS[[q]]
    x <- df[[if (before) spec$before else q]]
    for (old in names(spec$relabel)) x[!is.na(x) & x == old] <- spec$relabel[[old]]
    stopifnot(all(is.na(x) | x %in% spec$options))
    out[[q]] <- x
  }
  out$wave <- wave
  out
}

waves <- list(after = read_wave("change_after.csv", "after", FALSE),
              before = read_wave("change_before.csv", "before", TRUE))
stacked <- rbind(waves$after, waves$before)
stacked$stratum <- paste(stacked$wave, stacked$district)
stacked$psu <- paste(stacked$wave, stacked$school)

margins <- list(after = read.csv("change_margins_after.csv", stringsAsFactors = FALSE),
                before = read.csv("change_margins_before.csv", stringsAsFactors = FALSE))
for (w in names(margins)) check_unknown_sex(margins[[w]], waves[[w]])

plain_design <- function(df) {
  suppressWarnings(svydesign(ids = ~psu, strata = ~stratum, data = df))
}

# Raking on margins crossed with wave (each wave's own margins).
rake_stacked <- function(d, waves_in) {
  pop <- c("(Intercept)" = 0)
  cells <- list(m1 = c("district", "age_band"), m2 = c("district", "sex"))
  for (m in names(cells)) {
    cols <- cells[[m]]
    name <- paste(cols, collapse = " x ")
    rows <- do.call(rbind, lapply(waves_in, function(w) {
      mm <- margins[[w]][margins[[w]]$margin == name, ]
      data.frame(key = do.call(paste, c(list(w), mm[cols], sep = "|")),
                 population = mm$population, stringsAsFactors = FALSE)
    }))
    d$variables[[m]] <- factor(do.call(paste, c(list(d$variables$wave),
                                                 d$variables[cols], sep = "|")),
                               levels = rows$key)
    stopifnot(!any(is.na(d$variables[[m]])))
    p <- rows$population[-1]
    names(p) <- paste0(m, rows$key[-1])
    pop <- c(pop, p)
    total <- sum(rows$population)
  }
  pop[1] <- total
  calibrate(d, ~m1 + m2, population = pop, calfun = "raking", maxit = 100, epsilon = 1e-12)
}

own_jackknife <- function(w) {
  df <- stacked[stacked$wave == w, ]
  rake_stacked(as.svrepdesign(plain_design(df), type = "JKn"), w)
}

# ---------------------------------------------------------------------------
# Shares by wave x group x option, with their covariance
# ---------------------------------------------------------------------------

groups_of <- function(by) {
  if (is.null(by)) return(list(NULL))
  lapply(sort(unique(stacked[[by]])), function(g) setNames(list(g), by))
}

in_group <- function(df, g) {
  if (is.null(g)) return(rep(TRUE, nrow(df)))
  df[[names(g)]] == g[[1]]
}

key <- function(w, g, k) paste(w, if (is.null(g)) "All" else g[[1]], k, sep = "|")

# Named coefficients and covariance from svyby (designs svyby(covmat = TRUE) can take).
shares_by <- function(d, q, by) {
  spec <- QUESTIONS[[q]]
  d$variables$.q <- factor(d$variables[[q]], levels = spec$options)
  d$variables$.all <- "All"
  dd <- subset(d, !is.na(.q))
  res <- svyby(~.q, as.formula(paste("~wave +", if (is.null(by)) ".all" else by)), dd,
               svymean, covmat = TRUE)
  est <- coef(res)
  # names are "<wave>.<group>:.q<option>"
  parts <- regmatches(names(est), regexec("^(after|before)\\.(.*):\\.q(.*)$", names(est)))
  names(est) <- vapply(parts, function(p) paste(p[2], p[3], p[4], sep = "|"), "")
  v <- vcov(res)
  dimnames(v) <- list(names(est), names(est))
  list(est = est, vcov = v, stat = res)
}

# Each wave from its own design: shares by wave, a block-diagonal covariance.
shares_separate <- function(own, q, by) {
  parts <- lapply(names(own), function(w) {
    d <- own[[w]]
    d$variables$wave <- w
    shares_by(d, q, by)
  })
  est <- unlist(lapply(parts, function(p) p$est))
  n <- vapply(parts, function(p) length(p$est), 0)
  v <- matrix(0, sum(n), sum(n), dimnames = list(names(est), names(est)))
  v[seq_len(n[1]), seq_len(n[1])] <- parts[[1]]$vcov
  v[n[1] + seq_len(n[2]), n[1] + seq_len(n[2])] <- parts[[2]]$vcov
  list(est = est, vcov = v, stat = NULL)
}

# The same from domain totals (the delta method), for the raked linearization design.
shares_totals <- function(d, q, by) {
  spec <- QUESTIONS[[q]]
  x <- d$variables[[q]]
  vars <- character(0)
  exprs <- list()
  for (w in c("after", "before")) {
    for (g in groups_of(by)) {
      dom <- d$variables$wave == w & in_group(d$variables, g) & !is.na(x)
      nv <- make.names(paste("n", w, if (is.null(g)) "All" else g[[1]]))
      d$variables[[nv]] <- as.numeric(dom)
      vars <- c(vars, nv)
      for (k in spec$options) {
        zv <- make.names(paste("z", w, if (is.null(g)) "All" else g[[1]], k))
        d$variables[[zv]] <- as.numeric(dom & x == k)
        vars <- c(vars, zv)
        exprs[[key(w, g, k)]] <- substitute(a / b, list(a = as.name(zv), b = as.name(nv)))
      }
    }
  }
  tot <- svytotal(as.formula(paste("~", paste(vars, collapse = " + "))), d)
  res <- svycontrast(tot, exprs)
  list(est = coef(res), vcov = vcov(res), stat = res)
}

# ---------------------------------------------------------------------------
# The change rows
# ---------------------------------------------------------------------------

categories <- function(q) {
  spec <- QUESTIONS[[q]]
  c(lapply(spec$options, function(k) list(label = k, kind = "option", members = k)),
    lapply(names(spec$nets), function(n) list(label = n, kind = "net",
                                              members = spec$nets[[n]])))
}

domain_df <- function(d, g, q) {
  d$variables$.dom <- in_group(d$variables, g) & !is.na(d$variables[[q]])
  degf(subset(d, .dom))
}

change_rows <- function(s, q, by, df_of, level = 0.95, separate = NULL) {
  rows <- list()
  names_all <- names(s$est)
  for (g in groups_of(by)) {
    nu <- df_of(g)
    for (cat in categories(q)) {
      la <- setNames(as.numeric(names_all %in% key("after", g, cat$members)), names_all)
      lb <- setNames(as.numeric(names_all %in% key("before", g, cat$members)), names_all)
      stopifnot(sum(la) == length(cat$members), sum(lb) == length(cat$members))
      if (is.null(s$stat)) {
        d_est <- sum((la - lb) * s$est)
        d_se <- sqrt(as.numeric(t(la - lb) %*% s$vcov %*% (la - lb)))
      } else {
        diff <- svycontrast(s$stat, list(d = unname(la - lb)))
        d_est <- as.numeric(coef(diff))
        d_se <- as.numeric(SE(diff))
      }
      stopifnot(abs(d_se^2 - as.numeric(t(la - lb) %*% s$vcov %*% (la - lb))) < 1e-12)
      if (!is.null(separate)) {
        va <- as.numeric(t(la) %*% s$vcov %*% la)
        vb <- as.numeric(t(lb) %*% s$vcov %*% lb)
        stopifnot(abs(d_se^2 - va - vb) < 1e-12 * max(1, d_se^2))
        sep <- separate(g, cat$members)
        stopifnot(abs(va - sep$after) < 1e-10 * max(va, 1e-8),
                  abs(vb - sep$before) < 1e-10 * max(vb, 1e-8))
      }
      tq <- qt(1 - (1 - level) / 2, nu)
      row <- list(category = cat$label, kind = cat$kind,
                  estimate_before = sum(lb * s$est), estimate_after = sum(la * s$est),
                  difference = d_est, se = d_se, ci_low = d_est - tq * d_se,
                  ci_high = d_est + tq * d_se, df = nu,
                  p_value = 2 * pt(-abs(d_est / d_se), nu))
      if (!is.null(g)) row <- c(g, row)
      rows[[length(rows) + 1]] <- row
    }
  }
  rows
}

# Each wave's own (separate) design: the variance of a share of each wave alone.
separate_variance <- function(kind, q) {
  own <- lapply(c(after = "after", before = "before"), function(w) {
    d <- plain_design(stacked[stacked$wave == w, ])
    if (kind == "raked") rake_stacked(d, w) else d
  })
  function(g, members) {
    lapply(own, function(d) {
      x <- d$variables[[q]]
      d$variables$.y <- as.numeric(!is.na(x) & x %in% members)
      d$variables$.dom <- in_group(d$variables, g) & !is.na(x)
      as.numeric(SE(svymean(~.y, subset(d, .dom)))^2)
    })
  }
}

plain <- plain_design(stacked)
raked <- rake_stacked(plain, c("after", "before"))
jack_own <- list(after = own_jackknife("after"), before = own_jackknife("before"))

cases <- list()
check_gap <- 0
for (q in names(QUESTIONS)) {
  for (by in list(NULL, "district")) {
    lin_df <- function(g) domain_df(plain, g, q)
    jk_df <- function(g) domain_df(jack_own$after, g, q) + domain_df(jack_own$before, g, q)
    s_plain <- shares_by(plain, q, by)
    s_check <- shares_totals(plain, q, by)
    common <- names(s_plain$est)
    check_gap <- max(check_gap, abs(s_check$est[common] - s_plain$est),
                     abs(s_check$vcov[common, common] - s_plain$vcov))
    s_raked <- shares_totals(raked, q, by)
    s_jack <- shares_separate(jack_own, q, by)
    for (case in list(list(design = "equal_weights", s = s_plain, df = lin_df, kind = "plain"),
                      list(design = "raked", s = s_raked, df = lin_df, kind = "raked"),
                      list(design = "raked_jackknife", s = s_jack, df = jk_df, kind = NULL))) {
      separate <- if (is.null(case$kind)) NULL else separate_variance(case$kind, q)
      cases[[length(cases) + 1]] <- list(
        design = case$design, question = q, by = by, level = 0.95,
        rows = change_rows(case$s, q, by, case$df, separate = separate)
      )
    }
  }
}
stopifnot(check_gap < 1e-12)
cat(sprintf("svyby and domain totals agree on the unraked design (max gap %.1e)\n", check_gap))

meta <- list(
  generated_by = "tests/golden/make_golden_change.R",
  r_version = R.version.string,
  survey_version = as.character(packageVersion("survey")),
  options = list(survey.replicates.mse = FALSE, survey.adjust.domain.lonely = FALSE),
  harmonisation = list(good_places = "places_to_go", trusted_adult = list(Unsure = "Not sure"))
)
con <- file("change.json", "w")
writeLines("{", con)
writeLines(paste0("\"meta\":", to_json(meta), ","), con)
writeLines("\"cases\":[", con)
for (i in seq_along(cases)) {
  writeLines(paste0(to_json(cases[[i]]), if (i < length(cases)) "," else ""), con)
}
writeLines("]}", con)
close(con)
cat(sprintf("wrote change.json: %d cases\n", length(cases)))
