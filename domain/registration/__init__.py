"""The negotiated-drug "three-fixed" registration (谈判药品门诊 "三定", POLICY.md ND-1…ND-16): rules, dates, money.

Pure policy, standard library only: facts in, decisions out. ``docs/registration-rules.md`` maps each rule to its
function; ``docs/registration-dates.md`` gives the calendar conventions.
"""
