# Reference values for listening.crosstab from R's survey package.
#
# Run from tests/crosstab_golden (after export_data.py):
#   Rscript make_golden.R
# Writes crosstab.json. Needs r-base-core, r-cran-survey, r-cran-jsonlite (Debian).
#
# Two data sets, each a design with strata and clusters raked by
# calibrate(calfun = "raking") (a joint margin is the interaction of its columns):
#   handmade  crosstab_data.csv (tests/briefing_data.py): strata area, clusters school,
#             raked to area totals North 5000, South 4000, East 3000;
#   sample    sample_crosstab.csv, the kept rows of yl.load_sample(): strata district,
#             clusters school, raked to sample_margins.csv (yl.load_margins(survey):
#             district x age_band and district x sex; the "Not known" sex targets are
#             checked from the data first).
#
# For every table (question x by) and every group g (combined by: the components joined
# with " x "; a respondent missing a component is in no group) and every row k of the
# table (an option, a net = a set of options, or a multi-select option = its TRUE/FALSE
# column), with y = indicator of k (NA where the question is unanswered):
#   estimate, se   svymean(~y, subset(raked, grp == g & !is.na(y)))
#   ci_low/high    svyciprop(~I(y == 1), <that subset>, method = "logit", level = 0.95)
#   "All"          the same on subset(raked, !is.na(y))
#   difference, p  group versus the rest of those who answered and have a group, by the
#                  delta method on domain totals (svyby(covmat = TRUE) fails on calibrated
#                  designs in survey 4.1.1; see tests/golden/README.md):
#                  svycontrast(svytotal(~yin + nin + yout + nout), quote(yin/nin - yout/nout)),
#                  two-sided t on degf(subset(raked, !is.na(y) & !is.na(grp)))
#   vs_rest        sign(difference) where p.adjust(p, "holm") < 0.05, the adjustment taken
#                  over every group row (not "All") and every row k of the table together,
#                  each distinct test once (distinct_tests below: mirror images count once)
#   test           svychisq(~question + grp, subset(raked, !is.na(question) & !is.na(grp)),
#                  statistic = "F"); for a multi-select question one per option column.
# In a calibrated design's subset the rows outside keep their place with weight 0, so y is
# stored with 0 for them (as svymean(na.rm = TRUE) does).
# Degenerate rows (no usable R interval): p = 0 or 1, a non-finite bound, or
# `r_glm_failed`: on some small domains of the raked sample (e.g. Cambridge x 14-15, three
# schools) svyciprop's svyglm fit on the subset of the calibrated design returns a point
# estimate of 0 and bounds 0, 0 although svymean gives 0.13; its interval is then an
# artefact. The test checks estimate and se as usual and, for the bounds of these rows,
# only that they are NaN or lie in [0, 1] around the estimate.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})

read_data <- function(file) {
  d <- read.csv(file, stringsAsFactors = FALSE, na.strings = "NA")
  for (col in grep("__", names(d), value = TRUE)) d[[col]] <- as.logical(d[[col]])
  d
}

key_of <- function(df, cols) do.call(paste, c(lapply(cols, function(v) as.character(df[[v]])),
                                              sep = "\r"))

rake_to <- function(design, margins) {
  terms <- character(0)
  pop <- c(`(Intercept)` = NA_real_)
  for (name in unique(margins$margin)) {
    m <- margins[margins$margin == name, ]
    cols <- strsplit(name, " x ", fixed = TRUE)[[1]]
    levs <- key_of(m, cols)
    v <- paste0(".m", length(terms) + 1)
    design$variables[[v]] <- factor(key_of(design$variables, cols), levels = levs)
    stopifnot(!any(is.na(design$variables[[v]])))
    terms <- c(terms, v)
    p <- m$population[-1]
    names(p) <- paste0(v, levs[-1])
    pop <- c(pop, p)
    pop[1] <- sum(m$population)
  }
  calibrate(design, as.formula(paste("~", paste(terms, collapse = " + "))), population = pop,
            calfun = "raking", maxit = 100, epsilon = 1e-12)
}

options_of <- function(labels) lapply(setNames(labels, labels), function(k) k)

indicator <- function(column, members) {
  x <- d[[column]]
  ifelse(is.na(x), NA, as.numeric(x %in% members))
}

domain_figures <- function(design, keep) {
  sub <- subset(design, keep)
  m <- svymean(~y, sub)
  est <- unname(coef(m))
  cp <- suppressWarnings(svyciprop(~I(y == 1), sub, method = "logit", level = 0.95))
  ci <- attr(cp, "ci")
  glm_failed <- abs(unname(coef(cp)) - est) > 1e-6 * max(est, 1e-12)
  degenerate <- est <= 1e-12 || est >= 1 - 1e-12 || any(!is.finite(ci)) || glm_failed
  list(estimate = est, se = unname(SE(m)[1]), ci_low = unname(ci[1]), ci_high = unname(ci[2]),
       degenerate = degenerate, r_glm_failed = glm_failed)
}

versus_rest <- function(answer, grp, g) {
  # Variables are computed here, outside update(), whose expressions would see the
  # design's own columns (such as y) before this function's.
  a <- !is.na(answer) & !is.na(grp)
  inside <- a & grp == g
  outside <- a & grp != g
  v_yin <- ifelse(inside, answer, 0)
  v_yout <- ifelse(outside, answer, 0)
  dd <- update(raked, yin = v_yin, nin = as.numeric(inside), yout = v_yout,
               nout = as.numeric(outside))
  tot <- svytotal(~yin + nin + yout + nout, dd)
  con <- svycontrast(tot, quote(yin / nin - yout / nout))
  diff <- unname(coef(con))
  se <- unname(SE(con)[1])
  df <- degf(subset(raked, a))
  list(difference = diff, p_value = 2 * pt(-abs(diff / se), df))
}

rao_scott_f <- function(column, groups) {
  v_q <- factor(as.character(d[[column]]))
  dd <- update(raked, q = v_q, grp = groups)
  test <- svychisq(~q + grp, subset(dd, !is.na(q) & !is.na(grp)), statistic = "F")
  list(statistic = unname(test$statistic), p_value = unname(test$p.value))
}

# A question's rows: label -> list(column, members).
single_rows <- function(column, options, nets) {
  rows <- lapply(options_of(options), function(k) list(column = column, members = k))
  c(rows, lapply(nets, function(members) list(column = column, members = members)))
}

multi_rows <- function(columns) {
  lapply(columns, function(column) list(column = column, members = TRUE))
}

# Mirror-image tests count once in Holm's family: two rows of the same group or the same
# row k whose differences are equal and opposite with the same p-value (a yes/no answer's
# two options, an option and its complementary net, the two groups of a two-group
# breakdown), and the mirrors of a mirror.
distinct_tests <- function(rows, p) {
  n <- length(rows)
  id <- seq_len(n)
  root <- function(i) {
    while (id[i] != i) i <- id[i]
    i
  }
  group <- sapply(rows, function(r) paste(unlist(r$group), collapse = "\r"))
  category <- sapply(rows, function(r) as.character(r$category))
  d <- sapply(rows, function(r) if (is.na(r$difference)) NA_real_ else r$difference)
  for (i in seq_len(n)) {
    if (is.na(p[i])) next
    for (j in seq_len(n)) {
      if (j == i || is.na(p[j])) next
      if ((group[i] == group[j] || category[i] == category[j]) &&
          abs(d[i] + d[j]) <= 1e-9 * abs(d[i]) + 1e-12 &&
          abs(p[i] - p[j]) <= 1e-9 * abs(p[i])) {
        a <- root(i)
        b <- root(j)
        id[max(a, b)] <- min(a, b)
      }
    }
  }
  sapply(seq_len(n), root)
}

make_table <- function(question, by, rows_of_question, multi = FALSE) {
  grp <- do.call(paste, c(lapply(by, function(b) d[[b]]), sep = " x "))
  grp[Reduce(`|`, lapply(by, function(b) is.na(d[[b]])))] <- NA
  groups <- sort(unique(grp[!is.na(grp)]))
  rows <- list()
  for (label in names(rows_of_question)) {
    item <- rows_of_question[[label]]
    answer <- indicator(item$column, item$members)
    raked <<- update(raked, y = ifelse(is.na(answer), 0, answer))
    all <- domain_figures(raked, !is.na(answer))
    rows[[length(rows) + 1]] <- c(list(group = as.list(rep("All", length(by))), category = label,
                                       difference = NA, p_value = NA), all)
    for (g in groups) {
      figures <- domain_figures(raked, !is.na(answer) & !is.na(grp) & grp == g)
      rows[[length(rows) + 1]] <- c(list(group = as.list(strsplit(g, " x ", fixed = TRUE)[[1]]),
                                         category = label),
                                    versus_rest(answer, grp, g), figures)
    }
  }
  p <- sapply(rows, function(r) if (is.na(r$p_value)) NA_real_ else r$p_value)
  ids <- distinct_tests(rows, p)
  firsts <- which(!is.na(p))[!duplicated(ids[!is.na(p)])]
  holm_of <- setNames(p.adjust(p[firsts], "holm"), ids[firsts])
  adjusted <- ifelse(is.na(p), NA_real_, holm_of[as.character(ids)])
  for (i in seq_along(rows)) {
    sig <- !is.na(adjusted[i]) && adjusted[i] < 0.05
    rows[[i]]$vs_rest <- if (sig) as.integer(sign(rows[[i]]$difference)) else 0L
  }
  test <- if (multi) {
    lapply(rows_of_question, function(item) rao_scott_f(item$column, grp))
  } else {
    rao_scott_f(question, grp)
  }
  list(question = question, by = as.list(by), rows = rows, test = test)
}

# ---------------------------------------------------------------- hand-made data
d <- read_data("crosstab_data.csv")
raked <- calibrate(suppressWarnings(svydesign(ids = ~school, strata = ~area, data = d)), ~area,
                   c(`(Intercept)` = 12000, areaNorth = 5000, areaSouth = 4000),
                   calfun = "raking", epsilon = 1e-12, maxit = 100)
feel_options <- c("Very safe", "Fairly safe", "Fairly unsafe", "Very unsafe")
feel <- single_rows("feel", feel_options,
                    list(`Feel safe` = feel_options[1:2], `Feel unsafe` = feel_options[3:4]))
worry <- multi_rows(list(Knives = "worry__knives", Gangs = "worry__gangs"))
handmade <- list(
  make_table("feel", "area", feel),
  make_table("feel", "year", feel),
  make_table("feel", c("area", "year"), feel),
  make_table("worry", "area", worry, multi = TRUE),
  make_table("worry", c("area", "year"), worry, multi = TRUE)
)

# ---------------------------------------------------------------- bundled sample
d <- read_data("sample_crosstab.csv")
margins <- read.csv("sample_margins.csv", stringsAsFactors = FALSE, na.strings = "NA")
# The "Not known" sex targets, checked from the data: the district's total times the
# survey's share of "Not known" (one share, never a district's own count), in each
# district with such a respondent (tests/golden/golden_lib.R, check_unknown_sex).
unknown <- margins[margins$margin == "district x sex" & margins$sex == "Not known", ]
ages <- margins[margins$margin == "district x age_band", ]
stopifnot(setequal(unknown$district, d$district[d$sex == "Not known"]),
          isTRUE(all.equal(unknown$population,
                           unname(mean(d$sex == "Not known") *
                                    c(tapply(ages$population, ages$district, sum))[unknown$district]),
                           tolerance = 1e-12)))
raked <- rake_to(svydesign(ids = ~school, strata = ~district, data = d), margins)
safe_dark <- single_rows("safe_dark", feel_options,
                         list(`Feel safe` = feel_options[1:2],
                              `Feel unsafe` = feel_options[3:4]))
worry_columns <- grep("^worries__", names(d), value = TRUE)
worry_labels <- c("Drug dealing", "Knife crime", "Gangs", "Fights or violence",
                  "Anti-social behaviour", "Bullying", "Sexual harassment", "Online abuse",
                  "None of these")
worries <- multi_rows(as.list(setNames(worry_columns, worry_labels)))
sample <- list(
  make_table("safe_dark", c("district", "age_band"), safe_dark),
  make_table("safe_dark", "gender", safe_dark),
  make_table("worries", "district", worries, multi = TRUE)
)

out <- list(
  meta = list(r = R.version.string, survey = as.character(packageVersion("survey")),
              made_by = "tests/crosstab_golden/make_golden.R"),
  datasets = list(handmade = handmade, sample = sample)
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "string", pretty = TRUE),
           "crosstab.json")
cat("wrote crosstab.json\n")
