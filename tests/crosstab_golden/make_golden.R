# Reference values for listening.crosstab from R's survey package.
#
# Run from tests/crosstab_golden (after export_data.py):
#   Rscript make_golden.R
# Writes crosstab.json. Needs r-base-core, r-cran-survey, r-cran-jsonlite (Debian).
#
# Data: crosstab_data.csv (tests/briefing_data.py): strata `area`, clusters `school`,
# raked (calibrate(calfun = "raking")) to area totals North 5000, South 4000, East 3000.
#
# For every table (question x by) and every group g (combined by: the components joined
# with " x ") and every row k of the table (an option, a net = the option set, or a
# multi-select option = its TRUE/FALSE column), with y = indicator of k (NA where the
# question is unanswered):
#   estimate, se   svymean(~y, subset(raked, grp == g & !is.na(y)))
#   ci_low/high    svyciprop(~I(y == 1), <that subset>, method = "logit", level = 0.95)
#   "All"          the same on subset(raked, !is.na(y))
#   difference, p  group versus the rest of those who answered and have a group, by the
#                  delta method on domain totals (svyby(covmat = TRUE) fails on calibrated
#                  designs in survey 4.1.1; see tests/golden/README.md):
#                  svycontrast(svytotal(~yin + nin + yout + nout), quote(yin/nin - yout/nout)),
#                  two-sided t on degf(subset(raked, !is.na(y) & !is.na(grp)))
#   vs_rest        sign(difference) where p.adjust(p, "holm") < 0.05, the adjustment taken
#                  over every group row (not "All") and every row k of the table together
#   test           svychisq(~question + grp, subset(raked, !is.na(question) & !is.na(grp)),
#                  statistic = "F"); for a multi-select question one per option column.

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})

d <- read.csv("crosstab_data.csv", stringsAsFactors = FALSE, na.strings = "NA")
worry_cols <- grep("^worry__", names(d), value = TRUE)
for (col in worry_cols) d[[col]] <- as.logical(d[[col]])

des <- svydesign(ids = ~school, strata = ~area, data = d)
totals <- c(`(Intercept)` = 12000, areaNorth = 5000, areaSouth = 4000)
raked <- calibrate(des, ~area, totals, calfun = "raking", epsilon = 1e-12, maxit = 100)

feel_options <- c("Very safe", "Fairly safe", "Fairly unsafe", "Very unsafe")
items <- list(
  feel = c(
    lapply(setNames(feel_options, feel_options), function(k) list(column = "feel", members = k)),
    list(`Feel safe` = list(column = "feel", members = feel_options[1:2]),
         `Feel unsafe` = list(column = "feel", members = feel_options[3:4]))
  ),
  worry = list(Knives = list(column = "worry__knives", members = TRUE),
               Gangs = list(column = "worry__gangs", members = TRUE))
)

indicator <- function(item) {
  x <- d[[item$column]]
  ifelse(is.na(x), NA, as.numeric(x %in% item$members))
}

domain_figures <- function(design, keep) {
  sub <- subset(design, keep)
  m <- svymean(~y, sub)
  est <- unname(coef(m))
  ci <- suppressWarnings(attr(svyciprop(~I(y == 1), sub, method = "logit", level = 0.95), "ci"))
  degenerate <- est <= 1e-12 || est >= 1 - 1e-12 || any(!is.finite(ci))
  list(estimate = est, se = unname(SE(m)[1]), ci_low = unname(ci[1]), ci_high = unname(ci[2]),
       degenerate = degenerate)
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

make_table <- function(question, by) {
  grp <- do.call(paste, c(lapply(by, function(b) d[[b]]), sep = " x "))
  grp[Reduce(`|`, lapply(by, function(b) is.na(d[[b]])))] <- NA
  groups <- sort(unique(grp[!is.na(grp)]))
  rows <- list()
  for (label in names(items[[question]])) {
    answer <- indicator(items[[question]][[label]])
    # rows outside a domain weigh 0 in the subset of a calibrated design
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
  adjusted <- rep(NA_real_, length(p))
  adjusted[!is.na(p)] <- p.adjust(p[!is.na(p)], "holm")
  for (i in seq_along(rows)) {
    sig <- !is.na(adjusted[i]) && adjusted[i] < 0.05
    rows[[i]]$vs_rest <- if (sig) as.integer(sign(rows[[i]]$difference)) else 0L
  }
  test <- if (question == "worry") {
    lapply(items$worry, function(item) rao_scott_f(item$column, grp))
  } else {
    rao_scott_f(question, grp)
  }
  list(question = question, by = as.list(by), rows = rows, test = test)
}

tables <- list(
  make_table("feel", "area"),
  make_table("feel", "year"),
  make_table("feel", c("area", "year")),
  make_table("worry", "area"),
  make_table("worry", c("area", "year"))
)

out <- list(
  meta = list(r = R.version.string, survey = as.character(packageVersion("survey")),
              made_by = "tests/crosstab_golden/make_golden.R"),
  tables = tables
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, na = "string", pretty = TRUE),
           "crosstab.json")
cat("wrote crosstab.json\n")
