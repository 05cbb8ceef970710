"""Consumable catalog admission (医保医用耗材目录准入): the pure policy of POLICY.md sections 1, 3 and 4.

Modules: ``findings`` (what a check reports), ``categories`` (the fixed vocabularies), ``money`` (amounts in fen),
``application`` and ``application_data`` (one hospital's application, CA/CX/CM-5/DA-2), ``round`` (the adjustment
round, DA-1…DA-4), ``experts`` (assignment and review, DA-5, SV-3), ``decisions`` (the consolidated decision, CM-2,
CM-3, VBP), ``outcomes`` (DA-9), ``deadlines`` (DA-10, SV-1 in working days), ``publication`` (the next catalog
version, CM-6, DA-8) and ``payment`` (the patient/fund split, PAY, VBP-3). ``docs/admission-rules.md`` maps each
rule to its function.
"""
