"""Server-rendered web pages for clinicians and coordinators (sign-in, assess, refer, worklist)."""
