#!/usr/bin/env Rscript
# Golden reference values for listening's survey-weighted GLMs (yl.glm) and
# predictive margins (yl.predictive_margins), from R's survey package.
#
# Run by hand (CI does not need R):
#     cd tests/golden && Rscript make_golden_glm.R
#
# It reads apiclus1.csv and apistrat.csv (written by make_golden.R) and, for the
# bundled sample, sample_kept.csv and sample_margins.csv (written by
# export_sample.py), and writes glm.json: {"meta", "designs", "cases"} as
# make_golden.R does (its JSON helpers are copied here, so this script stands
# alone). A design spec may also `derive` 0/1 columns before the design is built:
# {"name": n, "column": c, "values": [...]} is 1 where c is one of the values, 0
# where c is another value, NA where c is NA. A case's `domain`
# {"column": c, "values": [...]} is subset(design, !is.na(c) & c %in% values).
#
# How each figure is obtained in R (this is the definition tests/test_glm.py holds
# Python to):
#   glm                 svyglm(formula, <domain design>, family = quasibinomial() |
#                       gaussian() | quasipoisson(), control = glm.control(epsilon = 1e-14,
#                       maxit = 100)); coef(), vcov(), summary()$coefficients (t and p),
#                       confint(fit, level = level), df.residual, and the rows used
#   predictive_margins  svypredmeans(svyglm(formula, <domain design>, ...), ~by) on
#                       linearization designs. On replicate designs svypredmeans fails in
#                       survey 4.1.1 (its update() of a svrepglm), so the same computation
#                       is written out (predmeans_by_hand below; on linearization designs
#                       it is checked against svypredmeans). Interval: estimate +/- t se,
#                       t on degf of the model's design (df.residual + length(coef) - 1).
#   rake, trim, jackknife   as make_golden.R (calibrate(calfun = "raking"),
#                       trimWeights, as.svrepdesign(type = "JKn" with strata, else "JK1")).

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
# Data and designs (as make_golden.R builds them)
# ---------------------------------------------------------------------------

read_data <- function(file) read.csv(file, stringsAsFactors = FALSE, na.strings = "NA",
                                     check.names = FALSE)
datasets <- list("apiclus1.csv" = read_data("apiclus1.csv"),
                 "apistrat.csv" = read_data("apistrat.csv"))
have_sample <- file.exists("sample_kept.csv") && file.exists("sample_margins.csv")
if (have_sample) datasets[["load_sample"]] <- read_data("sample_kept.csv")

# Categorical columns as factors with the levels in listening's category order
# (the first is the reference of the treatment contrasts); tests/test_glm.py checks
# that the Python columns have these categories in this order.
factor_levels <- list(
  stype = c("E", "H", "M"),
  awards = c("No", "Yes"),
  age_band = c("11-13", "14-15", "16-18"),
  sex = c("Female", "Male", "Not known"),
  district = c("Cambridge", "East Cambridgeshire", "Fenland", "Huntingdonshire",
               "South Cambridgeshire", "Peterborough")
)

spec <- function(data, weights = NULL, strata = NULL, clusters = NULL, fpc = NULL,
                 steps = list(), derive = list()) {
  list(data = data, weights = weights, strata = strata, clusters = clusters, fpc = fpc,
       lonely_psu = "fail", steps = steps, derive = derive)
}

derive <- function(name, column, values) list(name = name, column = column, values = I(values))

prepare <- function(s) {
  df <- datasets[[s$data]]
  for (dv in s$derive) {
    x <- df[[dv$column]]
    df[[dv$name]] <- ifelse(is.na(x), NA_real_, as.numeric(x %in% dv$values))
  }
  for (v in intersect(names(factor_levels), names(df))) {
    stopifnot(all(is.na(df[[v]]) | df[[v]] %in% factor_levels[[v]]))
    df[[v]] <- factor(df[[v]], levels = factor_levels[[v]])
  }
  df
}

# ---------------------------------------------------------------------------
# The calls
# ---------------------------------------------------------------------------

families <- list(binomial = quasibinomial(), gaussian = gaussian(), poisson = quasipoisson())
control <- glm.control(epsilon = 1e-14, maxit = 100)

domain_design <- function(d, domain) {
  if (is.null(domain)) return(d)
  x <- d$variables[[domain$column]]
  d$variables$.dom <- !is.na(x) & x %in% domain$values
  subset(d, .dom)
}

fit_model <- function(d, formula, family) {
  # svyglm evaluates its arguments in the caller's frame: give it plain objects.
  fml <- as.formula(formula)
  eval(bquote(svyglm(.(fml), design = d, family = families[[.(family)]], control = control)))
}

# The variable and level of every coefficient name (R pastes them: "stypeH").
term_parts <- function(name, formula) {
  if (name == "(Intercept)") return(list(variable = NULL, level = NULL))
  vars <- all.vars(as.formula(formula))[-1]
  if (name %in% vars) return(list(variable = name, level = NULL))
  for (v in vars) {
    if (startsWith(name, v)) return(list(variable = v, level = substring(name, nchar(v) + 1)))
  }
  stop("cannot split the coefficient name ", name)
}

glm_expected <- function(d, call) {
  dd <- domain_design(d, call$domain)
  fit <- fit_model(dd, call$formula, call$family)
  stopifnot(fit$converged)
  tab <- summary(fit)$coefficients
  ci <- confint(fit, level = call$level)
  nm <- rownames(tab)
  rows <- lapply(seq_along(nm), function(i) {
    c(term_parts(nm[i], call$formula),
      list(r_name = nm[i], estimate = tab[i, 1], se = tab[i, 2], statistic = tab[i, 3],
           p_value = tab[i, 4], ci_low = ci[i, 1], ci_high = ci[i, 2]))
  })
  v <- vcov(fit)
  list(coefficients = rows, vcov = lapply(seq_len(nrow(v)), function(i) I(as.vector(v[i, ]))),
       df_residual = fit$df.residual, n = length(fit$y) - sum(fit$prior.weights == 0))
}

# svypredmeans(model, ~by) written out, for designs where svypredmeans itself fails.
predmeans_by_hand <- function(model, by) {
  design <- model$survey.design
  # Only the rows in the model: on a calibrated design the rows dropped for missing
  # values stay with weight zero (svypredmeans itself then recycles its weights
  # against a shorter model matrix; see README.md).
  complete <- stats::complete.cases(model.frame(design)[all.vars(formula(model))])
  ok <- full_weights(design) > 0 & complete
  mf <- model.frame(design)[ok, , drop = FALSE]
  groups <- levels(droplevels(mf[[by]]))
  w <- full_weights(design)[ok]
  fits <- matrix(0, nrow = nrow(mf), ncol = length(groups))
  dg_deta <- matrix(nrow = length(coef(model)), ncol = length(groups))
  for (i in seq_along(groups)) {
    nd <- mf
    nd[[by]] <- factor(groups[i], levels = levels(mf[[by]]))
    eta <- predict(model, newdata = nd, type = "link")
    fits[, i] <- model$family$linkinv(as.vector(eta))
    mm <- model.matrix(terms(model), nd)
    dg_deta[, i] <- colSums(w * model$family$mu.eta(as.vector(eta)) * mm) / sum(w)
  }
  colnames(fits) <- groups
  all_fits <- matrix(0, nrow = length(ok), ncol = length(groups), dimnames = list(NULL, groups))
  all_fits[ok, ] <- fits
  cond <- svymean(all_fits, design)
  vv <- t(dg_deta) %*% vcov(model) %*% dg_deta + attr(cond, "var")
  list(estimate = as.vector(coef(cond)), var = vv, groups = groups, complete = all(complete))
}

predmeans_expected <- function(d, call) {
  dd <- domain_design(d, call$domain)
  adjust <- fit_model(dd, call$formula, call$family)
  full <- fit_model(dd, paste(call$formula, "+", call$by), call$family)
  mine <- predmeans_by_hand(full, call$by)
  if (!inherits(dd, "svyrep.design") && mine$complete) {
    pm <- eval(bquote(svypredmeans(adjust, ~.(as.name(call$by)))))
    theirs <- as.vector(coef(pm)[mine$groups])
    vt <- attr(pm, "var")[mine$groups, mine$groups]
    stopifnot(max(abs(theirs - mine$estimate)) < 1e-12,
              max(abs(vt - mine$var)) < 1e-12 * max(abs(vt)))
  }
  se <- sqrt(diag(mine$var))
  df <- full$df.residual + length(coef(full)) - 1
  t <- qt(1 - (1 - call$level) / 2, df)
  rows <- lapply(seq_along(mine$groups), function(i) {
    list(by = mine$groups[i], estimate = mine$estimate[i], se = se[i],
         ci_low = mine$estimate[i] - t * se[i], ci_high = mine$estimate[i] + t * se[i])
  })
  list(rows = rows, df = df)
}

call_id <- function(design_id, call) {
  dom <- if (is.null(call$domain)) "all" else paste0(call$domain$column, "_in_",
                                                     paste(call$domain$values, collapse = "+"))
  parts <- c(design_id, call[["function"]], call$family, gsub(" ", "", call$formula))
  if (!is.null(call$by)) parts <- c(parts, paste0("by_", call$by))
  paste(c(parts, dom, format(call$level)), collapse = "-")
}

run_design <- function(design_id, s, calls) {
  d <- make_design(s, prepare(s))
  lapply(calls, function(cl) {
    expected <- switch(cl[["function"]],
      glm = glm_expected(d, cl),
      predictive_margins = predmeans_expected(d, cl),
      stop("unknown function ", cl[["function"]]))
    if (!is.null(cl$domain)) cl$domain$values <- I(cl$domain$values)
    list(id = call_id(design_id, cl), design = design_id, call = cl, expected = expected)
  })
}

glm_call <- function(family, formula, domain = NULL, level = 0.95) {
  list(`function` = "glm", family = family, formula = formula, domain = domain, level = level)
}
pm_call <- function(family, formula, by, domain = NULL, level = 0.95) {
  list(`function` = "predictive_margins", family = family, formula = formula, by = by,
       domain = domain, level = level)
}

# ---------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------

api_domain <- list(column = "grp", values = c("M-R", "S-Z"))
api_calls <- list(
  glm_call("binomial", "sw ~ stype + meals + ell"),
  glm_call("binomial", "sw ~ stype + meals + ell", api_domain),
  glm_call("binomial", "sw ~ stype + meals + ell", level = 0.9),
  glm_call("gaussian", "api00 ~ stype + avg.ed + ell"),
  glm_call("gaussian", "api00 ~ stype + avg.ed + ell", api_domain),
  glm_call("poisson", "enroll ~ stype + meals + awards"),
  glm_call("poisson", "enroll ~ stype + meals + awards", api_domain),
  pm_call("binomial", "sw ~ meals + ell", "stype"),
  pm_call("binomial", "sw ~ meals + ell", "stype", api_domain),
  pm_call("gaussian", "api00 ~ meals + ell", "stype"),
  pm_call("poisson", "enroll ~ meals", "stype", level = 0.9)
)
api_derive <- list(derive("sw", "sch.wide", "Yes"))

pop_types <- data.frame(stype = c("E", "H", "M"), population = c(4421, 755, 1018))
pop_schwide <- data.frame(sch.wide = c("No", "Yes"), population = c(1072, 5122))
rake_doc <- rake_step(list(pop_types, pop_schwide))
clus1 <- function(steps) spec("apiclus1.csv", weights = "pw", clusters = "dnum", fpc = "fpc",
                              steps = steps, derive = api_derive)
strat <- function(steps) spec("apistrat.csv", weights = "pw", strata = "stype", fpc = "fpc",
                              steps = steps, derive = api_derive)
raked_w <- full_weights(make_design(clus1(list(rake_doc)), prepare(clus1(list(rake_doc)))))
trim_lo <- round(unname(quantile(raked_w, 0.1)), 1)
trim_hi <- round(unname(quantile(raked_w, 0.9)), 1)

designs <- list(
  clus1_fpc = clus1(list()),
  strat_fpc = strat(list()),
  clus1_raked = clus1(list(rake_doc)),
  clus1_raked_trim = clus1(list(rake_doc, trim_step(trim_lo, trim_hi, FALSE))),
  clus1_jk1 = clus1(list(jackknife_step())),
  strat_jkn = strat(list(jackknife_step())),
  clus1_jk1_raked = clus1(list(jackknife_step(), rake_doc))
)
calls <- lapply(designs, function(s) api_calls)

if (have_sample) {
  # The bundled sample as make_golden.R uses it: strata district, clusters school,
  # raked to yl.load_margins() ("source": "load_margins" in Python).
  raw <- read_data("sample_margins.csv")
  sample_margins <- lapply(unique(raw$margin), function(name) {
    vars <- strsplit(name, " x ", fixed = TRUE)[[1]]
    m <- raw[raw$margin == name, c(vars, "population"), drop = FALSE]
    rownames(m) <- NULL
    m
  })
  rake_sample <- rake_step(sample_margins)
  rake_sample$source <- "load_margins"
  unsafe <- list(derive("unsafe_dark", "safe_dark", c("Fairly unsafe", "Very unsafe")))
  sample_spec <- function(steps) spec("load_sample", strata = "district", clusters = "school",
                                      steps = steps, derive = unsafe)
  sample_calls <- list(
    glm_call("binomial", "unsafe_dark ~ age_band + sex + district"),
    glm_call("binomial", "unsafe_dark ~ age_band + sex",
             list(column = "district", values = c("Fenland", "Peterborough"))),
    pm_call("binomial", "unsafe_dark ~ age_band + sex", "district")
  )
  designs$sample_raked <- sample_spec(list(rake_sample))
  designs$sample_jkn_raked <- sample_spec(list(jackknife_step(), rake_sample))
  calls$sample_raked <- sample_calls
  calls$sample_jkn_raked <- sample_calls
} else {
  cat("sample_kept.csv / sample_margins.csv missing: the sample cases are left out\n")
}

cases <- list()
for (id in names(designs)) {
  cat("  design", id, "\n")
  cases <- c(cases, run_design(id, designs[[id]], calls[[id]]))
}
write_golden("glm.json", designs, cases, golden_meta(
  "tests/golden/make_golden_glm.R",
  list(control = list(epsilon = 1e-14, maxit = 100), factor_levels = lapply(factor_levels, I))
))
