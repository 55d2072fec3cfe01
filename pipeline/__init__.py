"""dak's library: the stages of a letter's way from scan to signed receipt (no Prefect here)."""

import warnings

# newer cryptography releases (51 here) deprecate DSA, which pyhanko 0.38 imports to verify old signatures:
# the warning would greet the clerk on every `dak` command
warnings.filterwarnings("ignore", message="DSA is deprecated", module="pyhanko")
