#!/usr/bin/env Rscript
# Golden reference values from R's survey package for listening's tests.
#
# Run by hand (CI does not need R):
#     cd tests/golden && Rscript make_golden.R
#
# It writes
#   apisrs.csv, apistrat.csv, apiclus1.csv  R's api data, with NAs injected and a few
#                                           derived columns (see prep_api below)
#   api_*.json                              cases on those data
#   sample.json                             cases on the bundled synthetic sample, when
#                                           sample_kept.csv and sample_margins.csv exist
#                                           (write them first with export_sample.py)
#
# Every JSON file holds {"meta", "designs", "cases"}. A design is a spec that both R
# (make_design below) and Python (tests/test_golden_r.py) build from: data file,
# weights, strata, clusters, fpc, lonely_psu, then steps (rake / trim / jackknife).
# A case names its design and a call (function, column, by, ci, level, ...) and holds
# R's answer. Numbers are written with 17 significant digits; NaN and infinities as
# the strings "NaN", "Inf", "-Inf"; NA as null.
#
# How each figure is obtained in R (this is the definition the tests hold Python to):
#   domain          subset(design, by == g & !is.na(column))
#   proportion      svymean(~column, domain, na.rm = TRUE) (column a factor with every
#                   level seen in the data); interval svyciprop(~I(column == k), domain,
#                   method = ci, level = level); df = degf(domain)
#   mean            svymean(~column, domain, na.rm = TRUE); confint(., df = degf(domain))
#   rao_scott       svychisq(~row + col, subset(design, !is.na(row) & !is.na(col)),
#                   statistic = "F" or "Chisq"); adjusted_statistic (Chisq) is
#                   X^2 / mean(diag(Delta)) = F statistic * (r - 1)(c - 1)
#   vs_rest         d2 <- subset(design, !is.na(column) & !is.na(by));
#                   svycontrast(svyby(~as.numeric(column == k), ~(by == g), d2, svymean,
#                   covmat = TRUE), c(-1, 1)); p = 2 * pt(-|diff / se|, degf(d2))
#   total           svytotal(~column, domain, na.rm = TRUE, deff = deff) (a factor of every
#                   level seen for a categorical column); confint(., level, df = degf(domain))
#   quantile        svyquantile(~column, domain, quantiles, ci = TRUE, na.rm = TRUE,
#                   alpha = 1 - level) with survey 4.1's defaults (interval.type = "mean",
#                   qrule = "math"); df = degf(domain)
#   ratio           svyratio(~num, ~den, domain, na.rm = TRUE); confint(., level,
#                   df = degf(domain)), domain also requiring !is.na(num) & !is.na(den)
#   ttest           svyttest(column ~ group, d2) and confint(svyglm(column ~ group, d2),
#                   parm = 2, level = level), d2 <- subset(design, !is.na(column) &
#                   !is.na(group))
#   deff            deff(svymean(~column, domain, na.rm = TRUE, deff = TRUE)) for proportion
#                   and mean calls with deff = TRUE
#   rake            calibrate(design, ~m1 + m2 + ..., totals, calfun = "raking",
#                   maxit = 100, epsilon = 1e-12), one factor per margin (a joint
#                   margin is the interaction of its columns)
#                   (with bounds = c(lo, hi) where the step has bounds)
#   trim            trimWeights(design, lower = , upper = , strict = )
#   jackknife       as.svrepdesign(design, type = "JKn" with strata, else "JK1")

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
# Data: R's api data with NAs injected, exported, and read back so that R and
# Python work from the same text.
# ---------------------------------------------------------------------------

data(api)

prep_api <- function(df) {
  n <- nrow(df)
  for (v in c("stype", "sch.wide", "comp.imp", "both", "awards", "yr.rnd")) {
    df[[v]] <- as.character(df[[v]])
  }
  # Domains made by missing answers: every 7th school has no `awards`, every 9th
  # no `avg.ed` (on top of R's own NAs).
  df$awards[seq(7, n, by = 7)] <- NA
  df$avg.ed[seq(9, n, by = 9)] <- NA
  # A grouping derived from the county name, missing for every 11th school.
  first <- toupper(substr(df$cname, 1, 1))
  df$grp <- ifelse(first <= "L", "A-L", ifelse(first <= "R", "M-R", "S-Z"))
  df$grp[seq(11, n, by = 11)] <- NA
  df
}

srs <- prep_api(apisrs)
strat <- prep_api(apistrat)
# A stratum with a single (unclustered) school, for lonely_psu = "adjust".
strat$lstrat <- strat$stype
strat$lstrat[which(strat$stype == "H")[1]] <- "X"
clus1 <- prep_api(apiclus1)
# Strata of districts, one of them with a single district (two schools).
clus1$cstrat <- ifelse(clus1$dnum < 400, "A", ifelse(clus1$dnum == 406, "B", "C"))

export <- function(df, file) {
  write.csv(df, file, row.names = FALSE, na = "NA")
  read.csv(file, stringsAsFactors = FALSE, na.strings = "NA")
}
datasets <- list(
  "apisrs.csv" = export(srs, "apisrs.csv"),
  "apistrat.csv" = export(strat, "apistrat.csv"),
  "apiclus1.csv" = export(clus1, "apiclus1.csv")
)

# ---------------------------------------------------------------------------
# Designs from specs
# ---------------------------------------------------------------------------

spec <- function(data, weights = NULL, strata = NULL, clusters = NULL, fpc = NULL,
                 lonely_psu = "fail", steps = list()) {
  list(data = data, weights = weights, strata = strata, clusters = clusters, fpc = fpc,
       lonely_psu = lonely_psu, steps = steps)
}

# A margin is a data frame of one or more variable columns and `population`.
margin_df <- function(df) {
  stopifnot("population" %in% names(df))
  df
}

# ---------------------------------------------------------------------------
# The calls
# ---------------------------------------------------------------------------

num <- function(x) as.vector(unclass(x))[1]

# Groups: every combination of by values present with all by columns non-missing.
groups_of <- function(df, by) {
  if (is.null(by)) return(list(NULL))
  keep <- stats::complete.cases(df[by])
  g <- unique(df[keep, by, drop = FALSE])
  g <- g[do.call(order, unname(as.list(g))), , drop = FALSE]
  lapply(seq_len(nrow(g)), function(i) as.list(g[i, , drop = FALSE]))
}

in_group <- function(df, g) {
  idx <- rep(TRUE, nrow(df))
  for (v in names(g)) idx <- idx & !is.na(df[[v]]) & df[[v]] == g[[v]]
  idx
}

domain_of <- function(d, idx) {
  d$variables$.dom <- idx
  subset(d, .dom)
}

by_json <- function(g) if (is.null(g)) NULL else g

call_id <- function(design_id, call) {
  by <- if (is.null(call$by)) "all" else paste(call$by, collapse = "+")
  parts <- c(design_id, call[["function"]])
  if (!is.null(call[["column"]])) parts <- c(parts, call[["column"]], paste0("by_", by))
  if (!is.null(call[["row"]])) parts <- c(parts, paste0(call[["row"]], "_x_", call[["col"]]))
  if (!is.null(call[["ci"]])) parts <- c(parts, call[["ci"]])
  if (!is.null(call[["statistic"]])) parts <- c(parts, call[["statistic"]])
  if (!is.null(call[["numerator"]])) parts <- c(parts, paste0(call[["numerator"]], "_over_",
                                                             call[["denominator"]]))
  if (!is.null(call[["group"]])) parts <- c(parts, paste0("by_", call[["group"]]))
  if (isTRUE(call[["deff"]])) parts <- c(parts, "deff")
  if (!is.null(call[["level"]])) parts <- c(parts, format(call[["level"]]))
  paste(parts, collapse = "-")
}

prop_rows <- function(d, column, by, ci, level) {
  df <- d$variables
  levs <- sort(unique(df[[column]][!is.na(df[[column]])]))
  d$variables[[column]] <- factor(df[[column]], levels = levs)
  w <- full_weights(d)
  rows <- list()
  for (g in groups_of(df, by)) {
    idx <- !is.na(df[[column]]) & in_group(df, g)
    dom <- domain_of(d, idx)
    m <- svymean(as.formula(paste0("~`", column, "`")), dom, na.rm = TRUE)
    est <- as.vector(coef(m))
    se <- as.vector(SE(m))
    df_dom <- degf(dom)
    # On a replicate design svyciprop(method = "logit") refits the logit in every
    # replicate; where a replicate proportion is 0 or 1 that fit does not converge and
    # R's bounds are an artefact of glm's stopping rule: mark those as degenerate.
    unstable <- rep(FALSE, length(levs))
    if (inherits(dom, "svyrep.design") && ci == "logit") {
      reps <- svymean(as.formula(paste0("~`", column, "`")), dom, na.rm = TRUE,
                      return.replicates = TRUE)$replicates
      unstable <- apply(as.matrix(reps), 2, function(r) any(r < 1e-12 | r > 1 - 1e-12))
    }
    for (j in seq_along(levs)) {
      k <- levs[j]
      fml <- as.formula(sprintf("~I(`%s` == %s)", column, deparse(k)))
      cp <- suppressWarnings(svyciprop(fml, dom, method = ci, level = level, na.rm = TRUE))
      bounds <- as.vector(attr(cp, "ci"))
      p <- est[j]
      if (ci == "logit" && p > 1e-12 && p < 1 - 1e-12 && se[j] >= 1e-10 && !unstable[j]) {
        # The closed forms, to report how far svyciprop's glm is from them: the delta
        # method on a linearization design, the replicates' logits on a replicate one.
        t <- qt(1 - (1 - level) / 2, df_dom)
        if (inherits(dom, "svyrep.design")) {
          se_logit <- sqrt(as.vector(svrVar(qlogis(reps[, j]), dom$scale, dom$rscales,
                                            mse = dom$mse, coef = qlogis(p))))
        } else {
          se_logit <- se[j] / (p * (1 - p))
        }
        closed <- plogis(qlogis(p) + c(-1, 1) * t * se_logit)
        gap <- max(abs(closed - bounds) / pmax(abs(bounds), 1e-12))
        key <- if (inherits(dom, "svyrep.design")) "replicate" else "linearization"
        if (is.finite(gap)) logit_gap[key] <<- max(logit_gap[key], gap)
      }
      rows[[length(rows) + 1]] <- list(
        by = by_json(g), category = k, estimate = p, se = se[j],
        ci_low = bounds[1], ci_high = bounds[2],
        n = sum(idx & df[[column]] == k), base = sum(idx), weighted_base = sum(w[idx]),
        df = df_dom, degenerate = (p < 1e-12 || p > 1 - 1e-12 || se[j] < 1e-10 ||
                                      unstable[j] || !all(is.finite(bounds)))
      )
    }
  }
  rows
}

mean_rows <- function(d, column, by, level) {
  df <- d$variables
  w <- full_weights(d)
  rows <- list()
  for (g in groups_of(df, by)) {
    idx <- !is.na(df[[column]]) & in_group(df, g)
    dom <- domain_of(d, idx)
    m <- svymean(as.formula(paste0("~`", column, "`")), dom, na.rm = TRUE)
    df_dom <- degf(dom)
    bounds <- as.vector(confint(m, level = level, df = df_dom))
    rows[[length(rows) + 1]] <- list(
      by = by_json(g), estimate = num(coef(m)), se = num(SE(m)),
      ci_low = bounds[1], ci_high = bounds[2],
      base = sum(idx), weighted_base = sum(w[idx]), df = df_dom
    )
  }
  rows
}

# TRUE minus FALSE group means of .y over the groups .g of design d2.
vs_rest_by <- function(d2) {
  res <- svyby(~.y, ~.g, d2, svymean, covmat = TRUE)
  stopifnot(identical(as.character(res[[1]]), c("FALSE", "TRUE")))
  svycontrast(res, c(-1, 1))
}

# The same contrast from the domain totals (delta method), for raked designs:
# svyby(covmat = TRUE) fails on a calibrated design in survey 4.1 (its influence
# functions keep every row, the group index does not).
vs_rest_totals <- function(d2) {
  d2$variables$.yin <- d2$variables$.y * d2$variables$.g
  d2$variables$.yout <- d2$variables$.y * !d2$variables$.g
  d2$variables$.nin <- as.numeric(d2$variables$.g)
  d2$variables$.nout <- as.numeric(!d2$variables$.g)
  tot <- svytotal(~.yin + .yout + .nin + .nout, d2)
  svycontrast(tot, quote(.yin / .nin - .yout / .nout))
}

vs_rest_contrast <- function(d2) {
  if (inherits(d2, "survey.design2") && survey:::is.calibrated(d2)) return(vs_rest_totals(d2))
  ct <- vs_rest_by(d2)
  if (inherits(d2, "survey.design2")) {
    alt <- vs_rest_totals(d2)
    gap <- max(abs(c(coef(alt) - coef(ct), SE(alt) - SE(ct))) / abs(c(coef(ct), SE(ct))))
    vs_rest_gap <<- max(vs_rest_gap, gap)
  }
  ct
}

vs_rest_rows <- function(d, column, by) {
  df <- d$variables
  levs <- sort(unique(df[[column]][!is.na(df[[column]])]))
  d2 <- domain_of(d, !is.na(df[[column]]) & !is.na(df[[by]]))
  nu <- degf(d2)
  rows <- list()
  for (g in groups_of(df, by)) {
    for (k in levs) {
      # as.numeric(): svymean of a logical gives a FALSE and a TRUE column. A raked
      # design keeps the rows outside d2 with weight zero; svyby(covmat = TRUE) cannot
      # take their NAs, so they get 0, as svymean(na.rm = TRUE) itself does.
      d2$variables$.y <- as.numeric(!is.na(d2$variables[[column]]) & d2$variables[[column]] == k)
      d2$variables$.g <- !is.na(d2$variables[[by]]) & d2$variables[[by]] == g[[1]]
      ct <- vs_rest_contrast(d2)
      diff <- num(coef(ct))
      se <- num(SE(ct))
      rows[[length(rows) + 1]] <- list(
        by = g, category = k, difference = diff, se = se,
        p_value = 2 * pt(-abs(diff / se), df = nu), df = nu,
        # se is rounding noise where raking fixes both shares (e.g. a joint margin on
        # column x by): the p-value then means nothing.
        degenerate = se < 1e-10
      )
    }
  }
  rows
}

rao_scott_result <- function(d, row, col, statistic) {
  df <- d$variables
  dd <- domain_of(d, !is.na(df[[row]]) & !is.na(df[[col]]))
  fml <- as.formula(sprintf("~`%s` + `%s`", row, col))
  res <- svychisq(fml, dd, statistic = statistic)
  out <- list(statistic = num(res$statistic), p_value = num(res$p.value))
  if (statistic == "F") {
    out$df_num <- num(res$parameter["ndf"])
    out$df_den <- num(res$parameter["ddf"])
  } else {
    ndf <- num(res$parameter["df"])
    f <- svychisq(fml, dd, statistic = "F")
    # X^2 / mean(diag(Delta)) with Delta as svychisq builds it: the F statistic is
    # X^2 / sum(diag(Delta)), and Delta has (r - 1)(c - 1) columns.
    adj <- num(f$statistic) * ndf
    check <- pchisq(adj, df = ndf, lower.tail = FALSE)
    stopifnot(abs(check - out$p_value) <= 1e-10 * max(out$p_value, 1e-300))
    out$df_num <- ndf
    out["df_den"] <- list(NULL)
    out$adjusted_statistic <- adj
  }
  out
}

total_rows <- function(d, column, by, level, deff) {
  df <- d$variables
  numeric <- is.numeric(df[[column]])
  if (!numeric) {
    levs <- sort(unique(df[[column]][!is.na(df[[column]])]))
    d$variables[[column]] <- factor(df[[column]], levels = levs)
  }
  w <- full_weights(d)
  rows <- list()
  for (g in groups_of(df, by)) {
    idx <- !is.na(df[[column]]) & in_group(df, g)
    dom <- domain_of(d, idx)
    tt <- svytotal(as.formula(paste0("~`", column, "`")), dom, na.rm = TRUE, deff = deff)
    dfd <- degf(dom)
    ci <- confint(tt, level = level, df = dfd)
    de <- if (deff) as.vector(deff(tt)) else NULL
    cats <- if (numeric) list(NULL) else as.list(levs)
    for (j in seq_along(cats)) {
      row <- list(by = by_json(g), estimate = as.vector(coef(tt))[j],
                  se = as.vector(SE(tt))[j], ci_low = ci[j, 1], ci_high = ci[j, 2],
                  base = sum(idx), weighted_base = sum(w[idx]), df = dfd,
                  # a total that raking fixes has a standard error of rounding noise
                  degenerate = as.vector(SE(tt))[j] < 1e-8 * abs(as.vector(coef(tt))[j]))
      if (!numeric) {
        row$category <- cats[[j]]
        row$n <- sum(idx & df[[column]] == cats[[j]])
      }
      if (deff) row$deff <- de[j]
      rows[[length(rows) + 1]] <- row
    }
  }
  rows
}

quantile_rows <- function(d, column, by, quantiles, level) {
  df <- d$variables
  rows <- list()
  for (g in groups_of(df, by)) {
    idx <- !is.na(df[[column]]) & in_group(df, g)
    dom <- domain_of(d, idx)
    q <- svyquantile(as.formula(paste0("~`", column, "`")), dom, quantiles, ci = TRUE,
                     na.rm = TRUE, alpha = 1 - level)[[1]]
    for (i in seq_along(quantiles)) {
      rows[[length(rows) + 1]] <- list(
        by = by_json(g), quantile = quantiles[i], estimate = q[i, 1], ci_low = q[i, 2],
        ci_high = q[i, 3], se = q[i, 4], base = sum(idx), df = degf(dom)
      )
    }
  }
  rows
}

ratio_rows <- function(d, numerator, denominator, by, level) {
  df <- d$variables
  rows <- list()
  for (g in groups_of(df, by)) {
    idx <- !is.na(df[[numerator]]) & !is.na(df[[denominator]]) & in_group(df, g)
    dom <- domain_of(d, idx)
    r <- svyratio(as.formula(paste0("~`", numerator, "`")),
                  as.formula(paste0("~`", denominator, "`")), dom, na.rm = TRUE)
    dfd <- degf(dom)
    ci <- confint(r, level = level, df = dfd)
    rows[[length(rows) + 1]] <- list(
      by = by_json(g), estimate = num(coef(r)), se = num(SE(r)), ci_low = ci[1, 1],
      ci_high = ci[1, 2], base = sum(idx), df = dfd
    )
  }
  rows
}

ttest_result <- function(d, column, group, level) {
  df <- d$variables
  d2 <- domain_of(d, !is.na(df[[column]]) & !is.na(df[[group]]))
  d2$variables$.g <- factor(d2$variables[[group]])
  fml <- as.formula(paste0("`", column, "` ~ .g"))
  res <- svyttest(fml, d2)
  m <- svyglm(fml, d2)
  ci <- confint(m, parm = 2, level = level)
  list(estimate = num(res$estimate), se = num(SE(m)[2]), statistic = num(res$statistic),
       df = num(res$parameter), p_value = num(res$p.value), ci_low = ci[1, 1],
       ci_high = ci[1, 2], groups = I(levels(d2$variables$.g)))
}

deff_rows <- function(d, column, by, statistic) {
  df <- d$variables
  if (statistic == "proportion") {
    levs <- sort(unique(df[[column]][!is.na(df[[column]])]))
    d$variables[[column]] <- factor(df[[column]], levels = levs)
  }
  rows <- list()
  for (g in groups_of(df, by)) {
    idx <- !is.na(df[[column]]) & in_group(df, g)
    dom <- domain_of(d, idx)
    m <- svymean(as.formula(paste0("~`", column, "`")), dom, na.rm = TRUE, deff = TRUE)
    de <- as.vector(deff(m))
    if (statistic == "proportion") {
      for (j in seq_along(levs)) {
        rows[[length(rows) + 1]] <- list(by = by_json(g), category = levs[j], deff = de[j])
      }
    } else {
      rows[[length(rows) + 1]] <- list(by = by_json(g), deff = de[1])
    }
  }
  rows
}

run_case <- function(design_id, d, call) {
  fn <- call[["function"]]
  expected <- switch(fn,
    weights = list(weights = I(full_weights(d))),
    proportion = list(rows = prop_rows(d, call[["column"]], call[["by"]], call[["ci"]],
                                       call[["level"]])),
    mean = list(rows = mean_rows(d, call[["column"]], call[["by"]], call[["level"]])),
    vs_rest = list(rows = vs_rest_rows(d, call[["column"]], call[["by"]])),
    rao_scott = rao_scott_result(d, call[["row"]], call[["col"]], call[["statistic"]]),
    total = list(rows = total_rows(d, call[["column"]], call[["by"]], call[["level"]],
                                   isTRUE(call[["deff"]]))),
    quantile = list(rows = quantile_rows(d, call[["column"]], call[["by"]],
                                         unlist(call[["quantiles"]]), call[["level"]])),
    ratio = list(rows = ratio_rows(d, call[["numerator"]], call[["denominator"]], call[["by"]],
                                   call[["level"]])),
    ttest = ttest_result(d, call[["column"]], call[["group"]], call[["level"]]),
    deff = list(rows = deff_rows(d, call[["column"]], call[["by"]], call[["statistic"]])),
    stop("unknown function ", fn)
  )
  cl <- call
  if (!is.null(cl[["by"]])) cl[["by"]] <- I(cl[["by"]])
  if (!is.null(cl[["quantiles"]])) cl[["quantiles"]] <- I(unlist(cl[["quantiles"]]))
  list(id = call_id(design_id, call), design = design_id, call = cl, expected = expected)
}

run_design <- function(design_id, s, calls) {
  options(survey.lonely.psu = s$lonely_psu)
  on.exit(options(survey.lonely.psu = "fail"))
  d <- make_design(s)
  lapply(calls, function(cl) run_case(design_id, d, cl))
}

# A grid of calls over a design's columns.
standard_calls <- function(prop_cols, by_list, mean_cols, vs_cols, vs_by, rs_pairs,
                           levels_for = function(by) c(0.95, 0.9)) {
  calls <- list(list(`function` = "weights"))
  for (by in by_list) {
    for (col in prop_cols) {
      if (!is.null(by) && col %in% by) next
      for (level in levels_for(by)) {
        for (ci in c("logit", "beta")) {
          calls[[length(calls) + 1]] <- list(`function` = "proportion", column = col, by = by,
                                             ci = ci, level = level)
        }
      }
    }
    for (col in mean_cols) {
      calls[[length(calls) + 1]] <- list(`function` = "mean", column = col, by = by,
                                         level = 0.95)
    }
  }
  for (col in mean_cols) {
    calls[[length(calls) + 1]] <- list(`function` = "mean", column = col, by = NULL, level = 0.9)
  }
  for (by in vs_by) {
    for (col in vs_cols) {
      if (col == by) next
      calls[[length(calls) + 1]] <- list(`function` = "vs_rest", column = col, by = by)
    }
  }
  for (pr in rs_pairs) {
    for (st in c("F", "Chisq")) {
      calls[[length(calls) + 1]] <- list(`function` = "rao_scott", row = pr[1], col = pr[2],
                                         statistic = st)
    }
  }
  calls
}

build_family <- function(file, designs, calls_for) {
  cases <- list()
  for (id in names(designs)) {
    cat("  design", id, "\n")
    cases <- c(cases, run_design(id, designs[[id]], calls_for(id)))
  }
  write_golden(file, designs, cases, golden_meta("tests/golden/make_golden.R"))
}

logit_gap <- c(linearization = 0, replicate = 0)
vs_rest_gap <- 0

# ---------------------------------------------------------------------------
# (a) R's api data
# ---------------------------------------------------------------------------

api_calls <- function(id) {
  standard_calls(
    prop_cols = c("awards", "sch.wide", "both", "stype"),
    by_list = list(NULL, "stype", "grp", c("stype", "sch.wide")),
    mean_cols = c("api00", "avg.ed"),
    vs_cols = c("awards", "sch.wide"),
    vs_by = c("stype", "grp"),
    rs_pairs = list(c("awards", "stype"), c("sch.wide", "grp"), c("both", "stype")),
    levels_for = function(by) if (length(by) > 1) 0.95 else c(0.95, 0.9)
  )
}

# Margins from the R documentation of rake() and calibrate().
pop_types <- data.frame(stype = c("E", "H", "M"), population = c(4421, 755, 1018))
pop_schwide <- data.frame(sch.wide = c("No", "Yes"), population = c(1072, 5122))
# A joint margin and a one-way margin, counted on apipop (the population the api
# samples come from).
pop_joint <- as.data.frame(table(stype = apipop$stype, sch.wide = apipop$sch.wide),
                           stringsAsFactors = FALSE)
names(pop_joint)[3] <- "population"
pop_compimp <- as.data.frame(table(comp.imp = apipop$comp.imp), stringsAsFactors = FALSE)
names(pop_compimp)[2] <- "population"
names(pop_types)[1] <- "stype"
names(pop_schwide)[1] <- "sch.wide"

rake_doc <- rake_step(list(pop_types, pop_schwide))
rake_joint <- rake_step(list(pop_joint, pop_compimp))
rake_strat <- rake_step(list(pop_schwide, pop_compimp))

sample_only <- "--sample-only" %in% commandArgs(trailingOnly = TRUE)
more_only <- "--more-only" %in% commandArgs(trailingOnly = TRUE)

if (!sample_only) {
if (!more_only) cat("linearization designs\n")
if (!more_only) build_family("api_linearization.json", list(
  srs_fpc = spec("apisrs.csv", weights = "pw", fpc = "fpc"),
  srs_unweighted = spec("apisrs.csv"),
  strat_fpc = spec("apistrat.csv", weights = "pw", strata = "stype", fpc = "fpc"),
  strat_nofpc = spec("apistrat.csv", weights = "pw", strata = "stype"),
  clus1_fpc = spec("apiclus1.csv", weights = "pw", clusters = "dnum", fpc = "fpc"),
  clus1_nofpc = spec("apiclus1.csv", weights = "pw", clusters = "dnum"),
  weights_only = spec("apistrat.csv", weights = "pw"),
  strat_lonely = spec("apistrat.csv", weights = "pw", strata = "lstrat", lonely_psu = "adjust"),
  clus1_lonely = spec("apiclus1.csv", weights = "pw", strata = "cstrat", clusters = "dnum",
                      lonely_psu = "adjust")
), api_calls)

# Trim bounds that bite: about the 10th and 90th percentiles of the raked weights.
clus1_raked_w <- full_weights(make_design(spec("apiclus1.csv", weights = "pw",
                                               clusters = "dnum", fpc = "fpc",
                                               steps = list(rake_doc))))
trim_lo <- round(unname(quantile(clus1_raked_w, 0.1)), 1)
trim_hi <- round(unname(quantile(clus1_raked_w, 0.9)), 1)

if (!more_only) cat("raked and trimmed designs\n")
if (!more_only) build_family("api_raking.json", list(
  clus1_raked = spec("apiclus1.csv", weights = "pw", clusters = "dnum", fpc = "fpc",
                     steps = list(rake_doc)),
  clus1_nofpc_raked = spec("apiclus1.csv", weights = "pw", clusters = "dnum",
                           steps = list(rake_doc)),
  clus1_raked_joint = spec("apiclus1.csv", weights = "pw", clusters = "dnum", fpc = "fpc",
                           steps = list(rake_joint)),
  strat_raked = spec("apistrat.csv", weights = "pw", strata = "stype", fpc = "fpc",
                     steps = list(rake_strat)),
  clus1_raked_trim = spec("apiclus1.csv", weights = "pw", clusters = "dnum", fpc = "fpc",
                          steps = list(rake_doc, trim_step(trim_lo, trim_hi, FALSE))),
  clus1_raked_trim_strict = spec("apiclus1.csv", weights = "pw", clusters = "dnum", fpc = "fpc",
                                 steps = list(rake_doc, trim_step(trim_lo, trim_hi, TRUE))),
  strat_trim = spec("apistrat.csv", weights = "pw", strata = "stype", fpc = "fpc",
                    steps = list(trim_step(20, 40, FALSE))),
  strat_trim_strict = spec("apistrat.csv", weights = "pw", strata = "stype", fpc = "fpc",
                           steps = list(trim_step(20, 40, TRUE))),
  strat_trim_upper = spec("apistrat.csv", weights = "pw", strata = "stype", fpc = "fpc",
                          steps = list(trim_step(upper = 40)))
), api_calls)

if (!more_only) cat("replicate designs\n")
if (!more_only) build_family("api_replicate.json", list(
  strat_fpc_jkn = spec("apistrat.csv", weights = "pw", strata = "stype", fpc = "fpc",
                       steps = list(jackknife_step())),
  strat_nofpc_jkn = spec("apistrat.csv", weights = "pw", strata = "stype",
                         steps = list(jackknife_step())),
  clus1_fpc_jk1 = spec("apiclus1.csv", weights = "pw", clusters = "dnum", fpc = "fpc",
                       steps = list(jackknife_step())),
  clus1_nofpc_jk1 = spec("apiclus1.csv", weights = "pw", clusters = "dnum",
                         steps = list(jackknife_step())),
  srs_fpc_jk1 = spec("apisrs.csv", weights = "pw", fpc = "fpc", steps = list(jackknife_step())),
  clus1_fpc_jk1_raked = spec("apiclus1.csv", weights = "pw", clusters = "dnum", fpc = "fpc",
                             steps = list(jackknife_step(), rake_doc)),
  clus1_nofpc_jk1_raked_joint = spec("apiclus1.csv", weights = "pw", clusters = "dnum",
                                     steps = list(jackknife_step(), rake_joint)),
  strat_fpc_jkn_raked = spec("apistrat.csv", weights = "pw", strata = "stype", fpc = "fpc",
                             steps = list(jackknife_step(), rake_strat))
), api_calls)

# More estimators (totals, quantiles, ratios, t-tests, design effects) on plain, raked,
# trimmed and jackknife designs.
more_calls <- function(id) {
  calls <- list()
  for (by in list(NULL, "stype", "grp")) {
    for (col in c("awards", "api00", "avg.ed")) {
      calls[[length(calls) + 1]] <- list(`function` = "total", column = col, by = by,
                                         level = 0.95, deff = TRUE)
    }
    calls[[length(calls) + 1]] <- list(`function` = "total", column = "sch.wide", by = by,
                                       level = 0.9)
    for (col in c("api00", "avg.ed")) {
      calls[[length(calls) + 1]] <- list(`function` = "quantile", column = col, by = by,
                                         quantiles = list(0.25, 0.5, 0.9), level = 0.95)
    }
    calls[[length(calls) + 1]] <- list(`function` = "ratio", numerator = "api.stu",
                                       denominator = "enroll", by = by, level = 0.95)
    calls[[length(calls) + 1]] <- list(`function` = "ratio", numerator = "api00",
                                       denominator = "avg.ed", by = by, level = 0.9)
    calls[[length(calls) + 1]] <- list(`function` = "deff", column = "awards", by = by,
                                       statistic = "proportion")
    calls[[length(calls) + 1]] <- list(`function` = "deff", column = "avg.ed", by = by,
                                       statistic = "mean")
  }
  calls[[length(calls) + 1]] <- list(`function` = "quantile", column = "api00", by = NULL,
                                     quantiles = list(0.1, 0.75), level = 0.9)
  for (pr in list(c("api00", "sch.wide"), c("avg.ed", "awards"), c("api00", "yr.rnd"))) {
    for (level in c(0.95, 0.9)) {
      calls[[length(calls) + 1]] <- list(`function` = "ttest", column = pr[1], group = pr[2],
                                         level = level)
    }
  }
  calls
}

cat("more estimators\n")
build_family("api_more.json", list(
  more_strat_fpc = spec("apistrat.csv", weights = "pw", strata = "stype", fpc = "fpc"),
  more_clus1 = spec("apiclus1.csv", weights = "pw", clusters = "dnum", fpc = "fpc"),
  more_clus1_raked = spec("apiclus1.csv", weights = "pw", clusters = "dnum", fpc = "fpc",
                          steps = list(rake_doc)),
  more_clus1_raked_trim = spec("apiclus1.csv", weights = "pw", clusters = "dnum", fpc = "fpc",
                               steps = list(rake_doc, trim_step(trim_lo, trim_hi, FALSE))),
  more_strat_jkn = spec("apistrat.csv", weights = "pw", strata = "stype", fpc = "fpc",
                        steps = list(jackknife_step())),
  more_clus1_jk1_raked = spec("apiclus1.csv", weights = "pw", clusters = "dnum", fpc = "fpc",
                              steps = list(jackknife_step(), rake_doc))
), more_calls)

bounded_calls <- function(id) {
  list(
    list(`function` = "weights"),
    list(`function` = "proportion", column = "awards", by = "stype", ci = "logit", level = 0.95),
    list(`function` = "mean", column = "api00", by = NULL, level = 0.95),
    list(`function` = "total", column = "awards", by = NULL, level = 0.95, deff = FALSE),
    list(`function` = "vs_rest", column = "awards", by = "stype")
  )
}
rake_bounded <- rake_step(list(pop_types, pop_schwide), bounds = c(0.8, 1.6))
cat("bounded raking\n")
build_family("api_bounded.json", list(
  bounded_clus1 = spec("apiclus1.csv", weights = "pw", clusters = "dnum", fpc = "fpc",
                       steps = list(rake_bounded)),
  bounded_strat = spec("apistrat.csv", weights = "pw", strata = "stype", fpc = "fpc",
                       steps = list(rake_step(list(pop_schwide, pop_compimp),
                                              bounds = c(0.5, 1.5)))),
  # bounds loose enough that R's grake() converges in every replicate (where it does not,
  # R warns and keeps unconverged weights; listening refuses instead)
  bounded_clus1_jk1 = spec("apiclus1.csv", weights = "pw", clusters = "dnum", fpc = "fpc",
                           steps = list(jackknife_step(),
                                        rake_step(list(pop_types, pop_schwide),
                                                  bounds = c(0.7, 2.2))))
), bounded_calls)

}

# ---------------------------------------------------------------------------
# (b) the bundled synthetic sample, as export_sample.py wrote it from
# yl.load_sample() and yl.load_margins(survey). Python rebuilds these designs from
# yl.load_sample() itself ("data": "load_sample") and rakes to yl.load_margins(survey)
# ("source": "load_margins"); the margin records are in the JSON for reference.
# check_unknown_sex (golden_lib.R) first checks the "Not known" sex targets from the
# data: the district total times the survey's share of "Not known" respondents.
# ---------------------------------------------------------------------------

if (!more_only && file.exists("sample_kept.csv") && file.exists("sample_margins.csv")) {
  datasets[["load_sample"]] <- read.csv("sample_kept.csv", stringsAsFactors = FALSE,
                                        na.strings = "NA", check.names = FALSE)
  raw <- read.csv("sample_margins.csv", stringsAsFactors = FALSE, na.strings = "NA",
                  check.names = FALSE)
  check_unknown_sex(raw, datasets[["load_sample"]])
  sample_margins <- lapply(unique(raw$margin), function(name) {
    vars <- strsplit(name, " x ", fixed = TRUE)[[1]]
    m <- raw[raw$margin == name, c(vars, "population"), drop = FALSE]
    rownames(m) <- NULL
    m
  })
  rake_sample <- rake_step(sample_margins)
  rake_sample$source <- "load_margins"
  safety <- grep("^safe_", names(datasets[["load_sample"]]), value = TRUE)

  sample_design <- function(steps) {
    spec(data = "load_sample", strata = "district", clusters = "school", steps = steps)
  }
  raked_w <- full_weights(make_design(sample_design(list(rake_sample))))
  sample_lo <- round(unname(quantile(raked_w, 0.05)), 1)
  sample_hi <- round(unname(quantile(raked_w, 0.95)), 1)

  sample_calls <- function(id) {
    calls <- list(list(`function` = "weights"))
    for (by in list(NULL, "district", "age_band")) {
      for (col in safety) {
        for (ci in c("logit", "beta")) {
          calls[[length(calls) + 1]] <- list(`function` = "proportion", column = col, by = by,
                                             ci = ci, level = 0.95)
        }
      }
    }
    for (ci in c("logit", "beta")) {
      calls[[length(calls) + 1]] <- list(`function` = "proportion", column = safety[1],
                                         by = "district", ci = ci, level = 0.9)
    }
    for (col in safety) {
      calls[[length(calls) + 1]] <- list(`function` = "vs_rest", column = col, by = "district")
      for (st in c("F", "Chisq")) {
        calls[[length(calls) + 1]] <- list(`function` = "rao_scott", row = col,
                                           col = "district", statistic = st)
      }
    }
    calls
  }

  cat("bundled sample\n")
  build_family("sample.json", list(
    sample_unweighted = sample_design(list()),
    sample_raked = sample_design(list(rake_sample)),
    sample_raked_trim = sample_design(list(rake_sample, trim_step(sample_lo, sample_hi, FALSE))),
    sample_jkn_raked = sample_design(list(jackknife_step(), rake_sample))
  ), sample_calls)
} else if (!more_only) {
  cat("sample_kept.csv / sample_margins.csv missing: run export_sample.py first;",
      "sample.json not written\n")
}

cat(sprintf("largest relative gap between svyciprop(logit) and its closed form, %s: %.3g\n",
            names(logit_gap), logit_gap), sep = "")
cat(sprintf("largest relative gap between vs_rest by svyby and by svytotal: %.3g\n",
            vs_rest_gap))
